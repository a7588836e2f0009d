import BasinModel
import BasinWire

/// Decodes the JSON body of `POST /v2/event`: an array of
/// `{"eventType","category","dimensions","properties","timestamp"}` objects (spec §4.1).
///
/// `null` is accepted for every member (signalfx-python sends `"category": null` and
/// `"timestamp": null`, spec §8 vector 29) and means absent. An unknown category name is
/// `USER_DEFINED` (gateway). Dimension numbers and booleans are stringified; property values
/// keep their JSON type (int, float, string, bool); nested property values are left out. An
/// event without a non-empty `eventType` of at most ``SignalFxIntakeLimits/maxEventTypeBytes``,
/// with a nested dimension value or with a timestamp that is not a number is skipped and
/// counted. Only a body that is not a JSON array of objects throws. An empty body is an empty
/// upload.
public enum SignalFxEventJSONDecoder {
    /// Decodes `bytes` into `batch`.
    ///
    /// - Throws: ``WireError`` when the body is not a JSON array of objects.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: SignalFxIntakeLimits = SignalFxIntakeLimits(), into batch: inout SignalFxEventBatch
    ) throws(WireError) {
        var scanner = JSONScanner(bytes: bytes)
        if scanner.peekToken() == .end { return }
        try scanner.readArrayStart()
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            if try scanner.readNull() { continue }
            if let event = try decodeEvent(&scanner, limits: limits) {
                batch.events.append(event)
            } else {
                batch.dropped += 1
            }
        }
        try scanner.readEnd()
    }

    /// Decodes one event object; nil when the event is to be skipped.
    static func decodeEvent(_ scanner: inout JSONScanner, limits: SignalFxIntakeLimits) throws(WireError) -> SignalFxEvent? {
        try scanner.readObjectStart()
        var eventType: String?
        var event = SignalFxEvent(eventType: "")
        var valid = true
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if key.elementsEqual("eventType".utf8) {
                if scanner.peekToken() == .string {
                    let text = try scanner.readString()
                    eventType = String(decoding: text, as: UTF8.self)
                } else {
                    try scanner.skipValue()
                    eventType = nil
                }
            } else if key.elementsEqual("category".utf8) {
                event.category = try readCategory(&scanner)
            } else if key.elementsEqual("dimensions".utf8) {
                valid = try readDimensions(&scanner, into: &event) && valid
            } else if key.elementsEqual("properties".utf8) {
                try readProperties(&scanner, into: &event)
            } else if key.elementsEqual("timestamp".utf8) {
                valid = try readTimestamp(&scanner, into: &event) && valid
            } else {
                try scanner.skipValue()
            }
        }
        guard valid, let eventType, !eventType.isEmpty, eventType.utf8.count <= limits.maxEventTypeBytes else { return nil }
        event.eventType = eventType
        return event
    }

    /// Reads `category`: a name (unknown → `USER_DEFINED`), an enum value, or anything else as absent.
    static func readCategory(_ scanner: inout JSONScanner) throws(WireError) -> SignalFxEventCategory {
        switch scanner.peekToken() {
        case .string:
            return SignalFxEventCategory(name: try scanner.readString())
        case .number:
            return SignalFxEventCategory(protobufValue: try scanner.readDecimal().scaledInt64(byPowerOfTen: 0) ?? 0)
        default:
            try scanner.skipValue()
            return .userDefined
        }
    }

    /// Reads `timestamp` (ms, fraction truncated; ≤ 0 or `null` → receipt time); false when it
    /// is not a number or past what nanoseconds can hold (the event is skipped).
    static func readTimestamp(_ scanner: inout JSONScanner, into event: inout SignalFxEvent) throws(WireError) -> Bool {
        switch scanner.peekToken() {
        case .number:
            guard let millis = try scanner.readDecimal().scaledInt64(byPowerOfTen: 0), millis <= Int64.max / 1_000_000 else {
                return false
            }
            event.timestampMillis = millis > 0 ? millis : nil
            return true
        case .null:
            _ = try scanner.readNull()
            event.timestampMillis = nil
            return true
        default:
            try scanner.skipValue()
            return false
        }
    }

    /// Reads `dimensions`; false when a value was nested (the event is skipped).
    static func readDimensions(_ scanner: inout JSONScanner, into event: inout SignalFxEvent) throws(WireError) -> Bool {
        guard scanner.peekToken() == .objectStart else {
            let wasNull = try scanner.readNull()
            if !wasNull { try scanner.skipValue() }
            return wasNull
        }
        try scanner.readObjectStart()
        var valid = true
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = String(decoding: try scanner.readKey(), as: UTF8.self)
            switch try readScalar(&scanner) {
            case .string(let text): event.dimensions.append((key, text))
            case .int(let value): event.dimensions.append((key, String(value)))
            case .float(let value): event.dimensions.append((key, "\(value)"))
            case .bool(let flag): event.dimensions.append((key, flag ? "true" : "false"))
            case .null: break
            default: valid = false
            }
        }
        return valid
    }

    /// Reads `properties`, keeping scalar values with their type.
    static func readProperties(_ scanner: inout JSONScanner, into event: inout SignalFxEvent) throws(WireError) {
        guard scanner.peekToken() == .objectStart else { return try scanner.skipValue() }
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = String(decoding: try scanner.readKey(), as: UTF8.self)
            let value = try readScalar(&scanner)
            switch value {
            case .null, .array, .object: continue
            default: event.properties.append(RecordField(key, value))
            }
        }
    }

    /// Reads one value: scalars with their type (integers without fraction or exponent as
    /// `.int`); a nested value is skipped and reported as `.array([])`.
    static func readScalar(_ scanner: inout JSONScanner) throws(WireError) -> FieldValue {
        switch scanner.peekToken() {
        case .string:
            return .string(String(decoding: try scanner.readString(), as: UTF8.self))
        case .number:
            let start = scanner.position
            let decimal = try scanner.readDecimal()
            if !decimal.hasFractionOrExponent, let value = decimal.scaledInt64(byPowerOfTen: 0) { return .int(value) }
            let text = UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position])
            return .float(DecimalParser.double(decimal, text: text))
        case .bool:
            return .bool(try scanner.readBool())
        case .null:
            _ = try scanner.readNull()
            return .null
        default:
            try scanner.skipValue()
            return .array([])
        }
    }
}
