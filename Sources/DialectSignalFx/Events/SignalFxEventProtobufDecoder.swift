import BasinModel
import BasinWire

/// Decodes the protobuf body of `POST /v2/event`: an `EventUploadMessage` (spec §4.2; schema in
/// ``SignalFxProtobufSchema``).
///
/// `Event.eventType` is proto2 `required`: an event without it makes the whole message invalid
/// and the decoder throws (spec §8 vector 32, as strict proto2 runtimes do). Per event, as the
/// gateway does: a property whose value has no member set skips the event (vector 33); an empty
/// or over-long `eventType` or strings that are not UTF-8 skip it too. `PropertyValue` members
/// are read with the gateway's precedence: string, bool, double, int. `timestamp` absent or ≤ 0
/// is receipt time; a category outside the enum is `USER_DEFINED`.
public enum SignalFxEventProtobufDecoder {
    /// Decodes `bytes` into `batch`. Zero bytes are a valid, empty message.
    ///
    /// - Throws: ``WireError`` for malformed protobuf or an event without `eventType`.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: SignalFxIntakeLimits = SignalFxIntakeLimits(), into batch: inout SignalFxEventBatch
    ) throws(WireError) {
        var reader = ProtobufReader(bytes)
        while let (field, wireType) = try reader.readTag() {
            guard field == SignalFxProtobufSchema.UploadMessage.items, wireType == .lengthDelimited else {
                try reader.skip(wireType)
                continue
            }
            let (event, offset) = try reader.readLengthDelimited()
            if let decoded = try decodeEvent(event, offset: offset, limits: limits) {
                batch.events.append(decoded)
            } else {
                batch.dropped += 1
            }
        }
    }

    /// Decodes one `Event`; nil when it is to be skipped.
    static func decodeEvent(_ bytes: UnsafeRawBufferPointer, offset: Int, limits: SignalFxIntakeLimits) throws(WireError) -> SignalFxEvent? {
        typealias Field = SignalFxProtobufSchema.Event
        var reader = ProtobufReader(bytes, baseOffset: offset)
        var eventType: UnsafeRawBufferPointer?
        var event = SignalFxEvent(eventType: "")
        var valid = true
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (Field.eventType, .lengthDelimited):
                eventType = try reader.readLengthDelimited().bytes
            case (Field.dimensions, .lengthDelimited):
                let (dimension, dimensionOffset) = try reader.readLengthDelimited()
                let (key, value) = try SignalFxDatapointProtobufDecoder.decodePair(dimension, offset: dimensionOffset)
                if ProtobufReader.isValidUTF8(key), ProtobufReader.isValidUTF8(value) {
                    event.dimensions.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
                } else {
                    valid = false
                }
            case (Field.properties, .lengthDelimited):
                let (property, propertyOffset) = try reader.readLengthDelimited()
                if let decoded = try decodeProperty(property, offset: propertyOffset) {
                    event.properties.append(decoded)
                } else {
                    valid = false
                }
            case (Field.category, .varint):
                event.category = SignalFxEventCategory(protobufValue: Int64(bitPattern: try reader.readVarint()))
            case (Field.timestamp, .varint):
                let millis = Int64(bitPattern: try reader.readVarint())
                if millis > Int64.max / 1_000_000 { valid = false }
                event.timestampMillis = millis > 0 ? millis : nil
            default:
                try reader.skip(wireType)
            }
        }
        guard let eventType else {
            throw WireError(.missingField, "event without the required eventType", offset: offset)
        }
        guard valid, !eventType.isEmpty, eventType.count <= limits.maxEventTypeBytes, ProtobufReader.isValidUTF8(eventType) else {
            return nil
        }
        event.eventType = String(decoding: eventType, as: UTF8.self)
        return event
    }

    /// Decodes a `Property`; nil when its value has no member set or a string is not UTF-8.
    static func decodeProperty(_ bytes: UnsafeRawBufferPointer, offset: Int) throws(WireError) -> RecordField? {
        typealias Field = SignalFxProtobufSchema.Pair
        typealias Value = SignalFxProtobufSchema.Datum
        var reader = ProtobufReader(bytes, baseOffset: offset)
        var key = UnsafeRawBufferPointer(rebasing: bytes[0..<0])
        var string: UnsafeRawBufferPointer?
        var bool: Bool?
        var double: Double?
        var int: Int64?
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (Field.key, .lengthDelimited):
                key = try reader.readLengthDelimited().bytes
            case (Field.value, .lengthDelimited):
                // A repeated message field merges, so members accumulate across occurrences.
                let (value, valueOffset) = try reader.readLengthDelimited()
                var inner = ProtobufReader(value, baseOffset: valueOffset)
                while let (member, memberType) = try inner.readTag() {
                    switch (member, memberType) {
                    case (Value.strValue, .lengthDelimited): string = try inner.readLengthDelimited().bytes
                    case (Value.doubleValue, .fixed64): double = Double(bitPattern: try inner.readFixed64())
                    case (Value.intValue, .varint): int = Int64(bitPattern: try inner.readVarint())
                    case (Value.boolValue, .varint): bool = try inner.readVarint() != 0
                    default: try inner.skip(memberType)
                    }
                }
            default:
                try reader.skip(wireType)
            }
        }
        guard ProtobufReader.isValidUTF8(key) else { return nil }
        let name = String(decoding: key, as: UTF8.self)
        if let string {
            guard ProtobufReader.isValidUTF8(string) else { return nil }
            return RecordField(name, .string(String(decoding: string, as: UTF8.self)))
        }
        if let bool { return RecordField(name, .bool(bool)) }
        if let double { return RecordField(name, .float(double)) }
        if let int { return RecordField(name, .int(int)) }
        return nil
    }
}
