import BasinModel
import BasinWire

/// Decodes the protobuf body of `POST /v2/datapoint`: a `DataPointUploadMessage`
/// (spec §3.2; schema in ``SignalFxProtobufSchema``).
///
/// Only malformed protobuf throws (the route answers `400`). Points are judged one by one
/// (spec §3.5): no `value` → dropped; `metricType` absent → gauge, `ENUM` (2) or a value outside
/// the enum → dropped; `timestamp` absent or ≤ 0 → receipt time; a non-empty `source` becomes
/// the dimension `sf_source` (a dimension of that name wins). `Datum` members are read with the
/// gateway's precedence, double before int before string; a string must hold a JSON number.
/// Strings that are not UTF-8 drop their point.
public enum SignalFxDatapointProtobufDecoder {
    /// Decodes `bytes` into `batch`. Zero bytes are a valid, empty message.
    ///
    /// - Throws: ``WireError`` for malformed protobuf (truncated values, bad keys, groups).
    /// - Complexity: O(n) in the body; strings are read in place.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into batch: inout SignalFxDatapointBatch) throws(WireError) {
        // A point's label set is about as long as its bytes (a dimension's record drops the
        // message's tags and length; `__name__` costs about what the value field did). Points
        // are estimated rather than counted (a counting pass cost 3% of decoding): clients'
        // points take 60–250 bytes, and columns sized for one per 128 bytes only grow for
        // bodies of smaller points.
        batch.reserveCapacity(points: bytes.count / 128 + 1, labelBytes: bytes.count)
        var reader = ProtobufReader(bytes)
        while let (field, wireType) = try reader.readTag() {
            guard field == SignalFxProtobufSchema.UploadMessage.items, wireType == .lengthDelimited else {
                try reader.skip(wireType)
                continue
            }
            let (point, offset) = try reader.readLengthDelimited()
            try decodePoint(point, offset: offset, into: &batch)
        }
    }

    /// The members of a `Datum` seen so far (a repeated `value` field merges).
    struct Datum {
        var string: UnsafeRawBufferPointer?
        var double: Double?
        var int: Int64?

        var isSet: Bool { string != nil || double != nil || int != nil }

        /// The value by the gateway's precedence; nil when only a non-numeric string is set.
        var number: Double? {
            if let double { return double }
            if let int { return Double(int) }
            if let string { return DecimalParser.double(from: string) }
            return nil
        }
    }

    /// The fields of one `DataPoint` (slices of the body); dimensions go straight to the batch.
    struct PointFields {
        var source: UnsafeRawBufferPointer?
        var metric: UnsafeRawBufferPointer?
        var timestamp: Int64?
        var datum = Datum()
        var typeValue: UInt64?
        var hasSourceDimension = false
    }

    /// Decodes one `DataPoint` and ends it in the batch (stored or dropped).
    static func decodePoint(_ bytes: UnsafeRawBufferPointer, offset: Int, into batch: inout SignalFxDatapointBatch) throws(WireError) {
        batch.beginPoint()
        var fields = PointFields()
        try readFields(bytes, offset: offset, fields: &fields, into: &batch)
        if let source = fields.source, !source.isEmpty, !fields.hasSourceDimension {
            if ProtobufReader.isValidUTF8(source) {
                SignalFx.sourceDimension.utf8.withContiguousStorageIfAvailable { key in
                    batch.addDimension(key: UnsafeRawBufferPointer(key), value: source)
                }
            } else {
                batch.invalidate(.invalidDimension)
            }
        }
        let type = metricType(fields.typeValue)
        if type?.kind == nil { batch.invalidate(.unsupportedType) }
        if let metric = fields.metric, !ProtobufReader.isValidUTF8(metric) { batch.invalidate(.invalidMetric) }
        let number = fields.datum.number
        if fields.datum.isSet, number == nil { batch.invalidate(.invalidValue) }
        batch.endPoint(metric: fields.metric, type: type ?? .gauge, timestampMillis: fields.timestamp, value: number)
    }

    /// Reads a `DataPoint`'s fields into `fields` (filled in place: it is too large to return
    /// cheaply), adding its dimensions to the batch's current point.
    static func readFields(
        _ bytes: UnsafeRawBufferPointer, offset: Int, fields: inout PointFields, into batch: inout SignalFxDatapointBatch
    ) throws(WireError) {
        typealias Field = SignalFxProtobufSchema.DataPoint
        var reader = ProtobufReader(bytes, baseOffset: offset)
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (Field.source, .lengthDelimited):
                fields.source = try reader.readLengthDelimited().bytes
            case (Field.metric, .lengthDelimited):
                let metric = try reader.readLengthDelimited().bytes
                fields.metric = metric
                batch.addMetricName(metric)
            case (Field.timestamp, .varint):
                fields.timestamp = Int64(bitPattern: try reader.readVarint())
            case (Field.value, .lengthDelimited):
                let (value, valueOffset) = try reader.readLengthDelimited()
                try decodeDatum(value, offset: valueOffset, into: &fields.datum)
            case (Field.metricType, .varint):
                fields.typeValue = try reader.readVarint()
            case (Field.dimensions, .lengthDelimited):
                let (dimension, dimensionOffset) = try reader.readLengthDelimited()
                let (key, value) = try decodePair(dimension, offset: dimensionOffset)
                // In the usual layout the message holds only the key, the value and their one-byte
                // tags and lengths, so one ASCII pass over it covers both strings.
                guard ProtobufReader.isASCII(dimension) || (ProtobufReader.isValidUTF8(key) && ProtobufReader.isValidUTF8(value)) else {
                    batch.invalidate(.invalidDimension)
                    continue
                }
                if isSourceDimension(key) { fields.hasSourceDimension = true }
                batch.addDimension(key: key, value: value)
            default:
                try reader.skip(wireType)
            }
        }
    }

    /// The metric type of a `metricType` varint: absent → gauge; nil for values outside the enum.
    /// proto2 enums are int32, so a negative value arrives sign-extended to 64 bits.
    static func metricType(_ raw: UInt64?) -> SignalFxMetricType? {
        guard let raw else { return .gauge }
        return SignalFxMetricType(rawValue: Int(Int64(bitPattern: raw)))
    }

    /// Merges one `Datum` occurrence into `datum`.
    @inline(__always)
    static func decodeDatum(_ bytes: UnsafeRawBufferPointer, offset: Int, into datum: inout Datum) throws(WireError) {
        // What clients send: exactly one `doubleValue` (key 0x11 and eight bytes).
        if bytes.count == 9, let base = bytes.baseAddress, base.load(as: UInt8.self) == 0x11 {
            datum.double = Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 1, as: UInt64.self)))
            return
        }
        try decodeDatumFields(bytes, offset: offset, into: &datum)
    }

    /// ``decodeDatum(_:offset:into:)`` for any other layout.
    static func decodeDatumFields(_ bytes: UnsafeRawBufferPointer, offset: Int, into datum: inout Datum) throws(WireError) {
        typealias Field = SignalFxProtobufSchema.Datum
        var reader = ProtobufReader(bytes, baseOffset: offset)
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (Field.strValue, .lengthDelimited):
                datum.string = try reader.readLengthDelimited().bytes
            case (Field.doubleValue, .fixed64):
                datum.double = Double(bitPattern: try reader.readFixed64())
            case (Field.intValue, .varint):
                datum.int = Int64(bitPattern: try reader.readVarint())
            default:
                try reader.skip(wireType)
            }
        }
    }

    /// Whether a dimension key is `sf_source` (``SignalFx/sourceDimension``).
    @inline(__always)
    static func isSourceDimension(_ key: UnsafeRawBufferPointer) -> Bool {
        // "sf_sourc" as a little-endian word, then "e".
        key.count == 9 && key.loadUnaligned(as: UInt64.self) == 0x6372_756F_735F_6673 && key[8] == UInt8(ascii: "e")
    }

    /// Decodes a `Dimension` (or the key of a `Property`): key and value, empty when absent.
    @inline(__always)
    static func decodePair(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(WireError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // What every client sends: key (field 1) then value (field 2), each shorter than 128
        // bytes, and nothing else. Anything else takes the general loop.
        let count = bytes.count
        if count >= 4, let base = bytes.baseAddress, base.load(as: UInt8.self) == 0x0A {
            let keyCount = Int(base.load(fromByteOffset: 1, as: UInt8.self))
            if keyCount < 0x80, keyCount + 4 <= count, base.load(fromByteOffset: keyCount + 2, as: UInt8.self) == 0x12 {
                let valueCount = Int(base.load(fromByteOffset: keyCount + 3, as: UInt8.self))
                if valueCount < 0x80, keyCount + 4 + valueCount == count {
                    return (UnsafeRawBufferPointer(start: base + 2, count: keyCount), UnsafeRawBufferPointer(start: base + keyCount + 4, count: valueCount))
                }
            }
        }
        return try decodePairFields(bytes, offset: offset)
    }

    /// ``decodePair(_:offset:)`` for any field order, repetition, unknown fields or long strings.
    static func decodePairFields(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(WireError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        typealias Field = SignalFxProtobufSchema.Pair
        var reader = ProtobufReader(bytes, baseOffset: offset)
        var key = UnsafeRawBufferPointer(rebasing: bytes[0..<0])
        var value = key
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (Field.key, .lengthDelimited): key = try reader.readLengthDelimited().bytes
            case (Field.value, .lengthDelimited): value = try reader.readLengthDelimited().bytes
            default: try reader.skip(wireType)
            }
        }
        return (key, value)
    }
}
