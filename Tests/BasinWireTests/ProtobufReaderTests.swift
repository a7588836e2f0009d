import BasinModel
import BasinTestKit
import BasinWire
import Testing

/// ``ProtobufReader``'s inline one-byte paths and its out-of-line general paths give the same
/// values and the same errors.
@Suite("ProtobufReader")
struct ProtobufReaderTests {
    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func read<R>(_ bytes: [UInt8], _ body: (inout ProtobufReader) throws(WireError) -> R) -> Result<R, WireError> {
        bytes.withUnsafeBytes { raw in
            var reader = ProtobufReader(raw, baseOffset: 100)
            do throws(WireError) { return .success(try body(&reader)) } catch { return .failure(error) }
        }
    }

    @Test("Varints of every length round-trip and advance past themselves", arguments: [
        UInt64(0), 1, 127, 128, 300, 16_383, 16_384, 1_790_000_000_000, UInt64(Int64.max), UInt64.max,
    ])
    func varints(value: UInt64) throws {
        let bytes = Self.varint(value) + [0x7F]
        let (read, position) = try Self.read(bytes) { (r: inout ProtobufReader) throws(WireError) in (try r.readVarint(), r.position) }.get()
        #expect(read == value)
        #expect(position == bytes.count - 1)
    }

    @Test("Random varints of every width read back whatever follows them (the word-load path and the byte loop)")
    func randomVarints() throws {
        var g = SeededGenerator(seed: 0x7A21)
        print("seed 0x7A21")
        for _ in 0..<20_000 {
            let bits = Int.random(in: 0...64, using: &g)
            let value = bits == 0 ? 0 : UInt64.random(in: 0...UInt64.max, using: &g) >> UInt64(64 - bits)
            let trailing = (0..<Int.random(in: 0...10, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let bytes = Self.varint(value) + trailing
            let (read, position) = try Self.read(bytes) { (r: inout ProtobufReader) throws(WireError) in (try r.readVarint(), r.position) }.get()
            #expect(read == value)
            #expect(position == bytes.count - trailing.count)
        }
    }

    @Test("Tags of one byte and of several bytes read alike", arguments: [UInt64(1), 2, 15, 16, 2047, 0x1FFF_FFFF])
    func tags(field: UInt64) throws {
        for wireType in [ProtobufWireType.varint, .fixed64, .lengthDelimited, .startGroup, .endGroup, .fixed32] {
            let tag = try Self.read(Self.varint(field << 3 | UInt64(wireType.rawValue))) { (r: inout ProtobufReader) throws(WireError) in try r.readTag() }.get()
            #expect(tag?.field == field)
            #expect(tag?.wireType == wireType)
        }
    }

    @Test("Malformed keys, varints and lengths throw the same errors at the same offsets")
    func errors() {
        func message<R>(_ result: Result<R, WireError>) -> String? {
            if case .failure(let error) = result { return error.message }
            return nil
        }
        #expect(message(Self.read([0x00]) { (r: inout ProtobufReader) throws(WireError) in try r.readTag() }) == "invalid protobuf field key 0 at byte 100")
        #expect(message(Self.read([0x0E]) { (r: inout ProtobufReader) throws(WireError) in try r.readTag() }) == "invalid protobuf field key 14 at byte 100")
        #expect(message(Self.read([0x87, 0x01]) { (r: inout ProtobufReader) throws(WireError) in try r.readTag() }) == "invalid protobuf field key 135 at byte 100")
        #expect(message(Self.read([0x80]) { (r: inout ProtobufReader) throws(WireError) in try r.readVarint() }) == "truncated protobuf varint at byte 100")
        #expect(message(Self.read([UInt8](repeating: 0xFF, count: 9) + [0x02]) { (r: inout ProtobufReader) throws(WireError) in try r.readVarint() })
            == "protobuf varint overflows 64 bits at byte 100")
        #expect(message(Self.read([0x05, 1, 2]) { (r: inout ProtobufReader) throws(WireError) in try r.readLengthDelimited() })
            == "protobuf length 5 runs past the end of the message at byte 100")
        #expect(message(Self.read([1, 2, 3]) { (r: inout ProtobufReader) throws(WireError) in try r.readFixed64() }) == "truncated protobuf fixed64 at byte 100")
        #expect(message(Self.read([1, 2, 3]) { (r: inout ProtobufReader) throws(WireError) in try r.skip(.fixed32) }) == "truncated protobuf fixed32 at byte 100")
        #expect(message(Self.read([1]) { (r: inout ProtobufReader) throws(WireError) in try r.skip(.startGroup) }) == "protobuf groups are not supported at byte 100")
    }

    @Test("Length-delimited slices point into the input with their body offsets")
    func slices() throws {
        let bytes: [UInt8] = [0x03, 0x61, 0x62, 0x63, 0x00, 0x01, 0x7A]
        let (a, b, c) = try Self.read(bytes) { (r: inout ProtobufReader) throws(WireError) in
            (try r.readLengthDelimited(), try r.readLengthDelimited(), try r.readLengthDelimited())
        }.get()
        #expect(Array(a.bytes) == [0x61, 0x62, 0x63] && a.offset == 101)
        #expect(a.bytes.isEmpty == false && b.bytes.isEmpty && b.offset == 105)
        #expect(Array(c.bytes) == [0x7A] && c.offset == 106)
    }

    @Test("The ASCII check sees a high byte at every position of every length up to 40")
    func asciiAndUTF8() {
        for length in 0...40 {
            let ascii = [UInt8](repeating: 0x61, count: length)
            ascii.withUnsafeBytes { raw in
                #expect(ProtobufReader.isASCII(raw))
                #expect(ProtobufReader.isValidUTF8(raw))
            }
            for position in 0..<length {
                var high = ascii
                high[position] = 0xC3
                high.withUnsafeBytes { raw in
                    #expect(!ProtobufReader.isASCII(raw))
                    // A lone lead byte is invalid unless a continuation byte follows it.
                    #expect(!ProtobufReader.isValidUTF8(raw))
                }
                if position + 1 < length {
                    high[position + 1] = 0xA9   // "é"
                    high.withUnsafeBytes { raw in #expect(ProtobufReader.isValidUTF8(raw)) }
                }
            }
        }
    }
}
