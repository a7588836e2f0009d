import BasinModel
import BasinTestKit
import BasinWire
import NIOCore
import Testing

@testable import DialectAxiom

/// Random bytes never trap any decoder; random events re-encoded as JSON decode to themselves.
@Suite("Axiom ingest decoder properties")
struct AxiomIngestPropertyTests {
    /// Bytes biased towards JSON and CSV punctuation, so the decoders get past the first byte.
    static func randomBytes(_ generator: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("{}[]\":,;\n\r\t 0123456789.-eE+tfnurlasNI\\u\"abcxyz_".utf8)
        let count = Int.random(in: 0...200, using: &generator)
        return (0..<count).map { _ in
            Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
        }
    }

    @Test("random bytes never crash any decoder", arguments: [AxiomIngestFormat.json, .ndjson, .csv])
    func randomBytesNeverCrash(format: AxiomIngestFormat) {
        var generator = SeededGenerator(seed: SeededGenerator.seed("axiom random bytes \(format)"))
        for _ in 0..<3000 {
            let bytes = Self.randomBytes(&generator)
            var options = AxiomIngestOptions(nowNanos: testNowNanos)
            options.timestampFormat = Bool.random(using: &generator) ? "2/Jan/2006:15:04:05 -0700" : nil
            options.limits.maxNestingDepth = Int.random(in: 1...4, using: &generator)
            if Bool.random(using: &generator) { options.eventLabels = String(decoding: Self.randomBytes(&generator), as: UTF8.self) }
            bytes.withUnsafeBytes { raw in
                _ = try? AxiomIngestDecoder(options: options).decode(raw, format: format)
            }
        }
    }

    @Test("random text never crashes the time parsers")
    func randomTimes() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("axiom random times"))
        let alphabet = Array("0123456789-:.,TZ+ /JanMonPMpm_".utf8)
        let layouts = ["2006-01-02T15:04:05.999Z07:00", "2/Jan/2006:15:04:05 -0700", "Mon Jan _2 3:04:05 PM MST 06", "01/02 .000"]
        for _ in 0..<3000 {
            let text = String(decoding: (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }, as: UTF8.self)
            _ = try? AxiomTimestampParser(format: nil).nanos(of: text)
            _ = try? AxiomTimestampParser(format: layouts.randomElement(using: &generator)!).nanos(of: text)
        }
    }

    // MARK: Round trip

    static func randomString(_ generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "0", " ", "é", "\"", "\\", "\n", "\u{1}", "😀", "_", "."]
        return (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func randomValue(_ generator: inout SeededGenerator, depth: Int) -> FieldValue {
        switch Int.random(in: 0..<(depth < 3 ? 8 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int64.random(in: .min ... .max, using: &generator))
        case 3: return .float(Double.random(in: -1e6...1e6, using: &generator) + 0.5)
        case 4, 5: return .string(randomString(&generator))
        case 6: return .array((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0...3, using: &generator)).map { i in
                RecordField("m\(i)" + randomString(&generator), randomValue(&generator, depth: depth + 1))
            })
        }
    }

    static func encode(_ value: FieldValue, into writer: inout JSONWriter) {
        switch value {
        case .null: writer.null()
        case .bool(let b): writer.bool(b)
        case .int(let i): writer.integer(i)
        case .float(let d): writer.buffer.writeString(d.description)
        case .string(let s): writer.string(s)
        case .timestamp(let n): writer.integer(n)
        case .array(let elements):
            writer.raw("[")
            var comma = false
            for element in elements {
                writer.comma(&comma)
                encode(element, into: &writer)
            }
            writer.raw("]")
        case .object(let members):
            writer.raw("{")
            var comma = false
            for member in members {
                writer.comma(&comma)
                writer.key(member.name)
                encode(member.value, into: &writer)
            }
            writer.raw("}")
        }
    }

    @Test("records encoded as JSON (array and NDJSON) decode to the same records")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: SeededGenerator.seed("axiom round trip"))
        for _ in 0..<300 {
            let records = (0..<Int.random(in: 1...5, using: &generator)).map { _ in
                Record(
                    timeNanos: Int64.random(in: 100_000_000_000_000_000...4_000_000_000_000_000_000, using: &generator),
                    fields: (0..<Int.random(in: 0...5, using: &generator)).map { i in
                        RecordField("f\(i)" + Self.randomString(&generator), Self.randomValue(&generator, depth: 0))
                    })
            }
            for ndjson in [false, true] {
                var writer = JSONWriter()
                if !ndjson { writer.raw("[") }
                var comma = false
                for record in records {
                    if ndjson { if comma { writer.raw("\n") } else { comma = true } } else { writer.comma(&comma) }
                    writer.raw("{\"_time\":")
                    writer.integer(record.timeNanos)
                    for field in record.fields {
                        writer.raw(",")
                        writer.key(field.name)
                        Self.encode(field.value, into: &writer)
                    }
                    writer.raw("}")
                }
                if !ndjson { writer.raw("]") }
                let text = String(buffer: writer.buffer)
                let batch = try decodeAxiom(text, format: ndjson ? .ndjson : .json)
                #expect(batch.failures.isEmpty)
                #expect(batch.records == records, "\(text)")
                #expect(batch.processedBytes == writer.buffer.readableBytes)
            }
        }
    }
}
