import BasinModel
import BasinWire

/// Decodes the JSON body of `POST /v2/datapoint` (spec §3.1):
/// `{"gauge":[…],"counter":[…],"cumulative_counter":[…]}` with points
/// `{"metric","value","dimensions","timestamp"}`.
///
/// Only a body that is not this shape throws (the route answers `400`); points that are
/// individually unusable are dropped into the batch's counts (spec §3.5):
/// - type keys are matched case-insensitively; arrays under other keys are skipped and counted
///   (gateway behaviour, spec §8 vector 5);
/// - `value`: a number, or a string holding a JSON number (DOC); anything else drops the point;
/// - `timestamp`: milliseconds; fractions are truncated, `null`/absent/≤ 0 mean receipt time;
/// - `dimensions`: string values; numbers and booleans are stringified (older DOC allowed them),
///   `null` leaves the dimension out, nested values drop the point;
/// - other members (`properties`, …) are ignored.
///
/// An empty (all-whitespace) body is an empty upload.
public enum SignalFxDatapointJSONDecoder {
    /// Decodes `bytes` into `batch`.
    ///
    /// - Throws: ``WireError`` when the body is not JSON of the expected shape.
    /// - Complexity: O(n) in the body; one label set per accepted point.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into batch: inout SignalFxDatapointBatch) throws(WireError) {
        var scanner = JSONScanner(bytes: bytes)
        if scanner.peekToken() == .end { return }
        try scanner.readObjectStart()
        var state = PointState()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            guard let type = metricType(key) else {
                batch.dropUndecoded(.unsupportedType, count: try skipCounting(&scanner))
                continue
            }
            if try scanner.readNull() { continue }
            try scanner.readArrayStart()
            var firstPoint = true
            while try scanner.readNextArrayElement(isFirst: &firstPoint) {
                try decodePoint(&scanner, type: type, state: &state, into: &batch)
            }
        }
        try scanner.readEnd()
    }

    /// Scratch reused across points: a metric name or a dimension key that the scanner
    /// unescaped is copied out of its scratch buffer, which the next string read reuses.
    /// (Text without escapes is a slice of the body and needs no copy.)
    struct PointState {
        var metric: [UInt8] = []
        var key: [UInt8] = []
    }

    /// The members of a point the decoder reads.
    enum PointMember {
        case metric, value, timestamp, dimensions, other
    }

    /// The metric type a key names, case-insensitively; nil for other keys.
    static func metricType(_ key: UnsafeRawBufferPointer) -> SignalFxMetricType? {
        if equalsIgnoringCase(key, "gauge") { return .gauge }
        if equalsIgnoringCase(key, "counter") { return .counter }
        if equalsIgnoringCase(key, "cumulative_counter") { return .cumulativeCounter }
        return nil
    }

    /// Whether `bytes` spell `lowercase` in any ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<bytes.count {
            var byte = bytes[i]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != expected[i] { return false }
        }
        return true
    }

    /// Skips a value; for an array, returns its element count (the points it held).
    static func skipCounting(_ scanner: inout JSONScanner) throws(WireError) -> Int {
        guard scanner.peekToken() == .arrayStart else {
            try scanner.skipValue()
            return 0
        }
        try scanner.readArrayStart()
        var count = 0
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            try scanner.skipValue()
            count += 1
        }
        return count
    }

    /// Decodes one point object.
    static func decodePoint(
        _ scanner: inout JSONScanner, type: SignalFxMetricType, state: inout PointState, into batch: inout SignalFxDatapointBatch
    ) throws(WireError) {
        try scanner.readObjectStart()
        batch.beginPoint()
        var hasMetric = false
        // The name: a slice of the body, or (when it had escapes) `state.metric`.
        var metric = UnsafeRawBufferPointer(start: nil, count: 0)
        var metricCopied = false
        var value: Double?
        var timestamp: Int64?
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            switch try readMember(&scanner) {
            case .metric:
                switch scanner.peekToken() {
                case .string:
                    let text = try scanner.readString()
                    metricCopied = !isSlice(text, of: scanner.bytes)
                    if metricCopied {
                        state.metric.removeAll(keepingCapacity: true)
                        state.metric.append(contentsOf: text)
                    } else {
                        metric = text
                    }
                    hasMetric = true
                case .null:
                    _ = try scanner.readNull()
                    hasMetric = false
                default:
                    try scanner.skipValue()
                    batch.invalidate(.invalidMetric)
                }
            case .value:
                value = try readValue(&scanner, into: &batch)
            case .timestamp:
                timestamp = try readTimestamp(&scanner, into: &batch)
            case .dimensions:
                try readDimensions(&scanner, state: &state, into: &batch)
            case .other:
                try scanner.skipValue()
            }
        }
        if !hasMetric {
            batch.endPoint(metric: nil, type: type, timestampMillis: timestamp, value: value)
        } else if metricCopied {
            state.metric.withUnsafeBytes { batch.endPoint(metric: $0, type: type, timestampMillis: timestamp, value: value) }
        } else {
            batch.endPoint(metric: metric, type: type, timestampMillis: timestamp, value: value)
        }
    }

    /// Reads a point member's key and its `:`.
    ///
    /// The four keys are first matched in place, in the order clients write them, which spares
    /// scanning them; anything else (escapes, other members) goes through ``JSONScanner/readKey()``.
    @inline(__always)
    static func readMember(_ scanner: inout JSONScanner) throws(WireError) -> PointMember {
        if scanner.readKey(ifEqualTo: "metric") { return .metric }
        if scanner.readKey(ifEqualTo: "dimensions") { return .dimensions }
        if scanner.readKey(ifEqualTo: "value") { return .value }
        if scanner.readKey(ifEqualTo: "timestamp") { return .timestamp }
        let key = try scanner.readKey()
        switch key.count {
        case 6 where ByteText.equals(key, "metric"): return .metric
        case 5 where ByteText.equals(key, "value"): return .value
        case 9 where ByteText.equals(key, "timestamp"): return .timestamp
        case 10 where ByteText.equals(key, "dimensions"): return .dimensions
        default: return .other
        }
    }

    /// Reads `value`: a number, or a numeric string; nil (point dropped later) otherwise.
    static func readValue(_ scanner: inout JSONScanner, into batch: inout SignalFxDatapointBatch) throws(WireError) -> Double? {
        switch scanner.peekToken() {
        case .number:
            return try scanner.readDouble()
        case .string:
            let text = try scanner.readString()
            guard let parsed = DecimalParser.double(from: text) else {
                batch.invalidate(.invalidValue)
                return nil
            }
            return parsed
        case .null:
            _ = try scanner.readNull()
            return nil
        default:
            try scanner.skipValue()
            batch.invalidate(.invalidValue)
            return nil
        }
    }

    /// Reads `timestamp` in milliseconds (truncating a fraction); nil for `null`.
    static func readTimestamp(_ scanner: inout JSONScanner, into batch: inout SignalFxDatapointBatch) throws(WireError) -> Int64? {
        // The usual milliseconds: a plain integer, read directly.
        if let millis = scanner.readPlainInteger() { return millis }
        switch scanner.peekToken() {
        case .number:
            guard let millis = try scanner.readDecimal().scaledInt64(byPowerOfTen: 0) else {
                batch.invalidate(.invalidTimestamp)
                return nil
            }
            return millis
        case .null:
            _ = try scanner.readNull()
            return nil
        default:
            try scanner.skipValue()
            batch.invalidate(.invalidTimestamp)
            return nil
        }
    }

    /// Reads the `dimensions` object into the batch's current point.
    static func readDimensions(
        _ scanner: inout JSONScanner, state: inout PointState, into batch: inout SignalFxDatapointBatch
    ) throws(WireError) {
        switch scanner.peekToken() {
        case .objectStart: break
        case .null:
            _ = try scanner.readNull()
            return
        default:
            try scanner.skipValue()
            batch.invalidate(.invalidDimension)
            return
        }
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            // A key without escapes is a slice of the body and outlives the value's read; an
            // unescaped one lives in the scanner's scratch buffer, which the value may reuse.
            let copied = !isSlice(key, of: scanner.bytes)
            if copied {
                state.key.removeAll(keepingCapacity: true)
                state.key.append(contentsOf: key)
            }
            let value: UnsafeRawBufferPointer
            switch scanner.peekToken() {
            case .string:
                value = try scanner.readString()
            case .number:
                let start = scanner.position
                _ = try scanner.readDecimal()
                value = UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position])
            case .bool:
                let text: StaticString = try scanner.readBool() ? "true" : "false"
                value = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            case .null:
                _ = try scanner.readNull()
                continue
            default:
                try scanner.skipValue()
                batch.invalidate(.invalidDimension)
                continue
            }
            if copied {
                state.key.withUnsafeBytes { batch.addDimension(key: $0, value: value) }
            } else {
                batch.addDimension(key: key, value: value)
            }
        }
    }

    /// Whether `part` lies inside `whole` (a string read without unescaping).
    @inline(__always)
    static func isSlice(_ part: UnsafeRawBufferPointer, of whole: UnsafeRawBufferPointer) -> Bool {
        guard let p = part.baseAddress, let w = whole.baseAddress else { return part.isEmpty }
        return p >= w && p + part.count <= w + whole.count
    }
}
