import BasinTestKit
import BasinWire
import NIOCore
import Testing

@testable import DialectSignalFx

@Suite("SignalFx trace properties")
struct SignalFxTracePropertyTests {
    @Test("random bytes never crash the decoder")
    func randomBytes() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("trace random bytes"))
        let alphabet = Array(#"[]{}",:0123456789.-eE truefalsnul\"traceIdkindtagsbinaryAnnotations"#.utf8) + [0, 0xFF, 0xC3, 0x0A]
        for _ in 0..<3000 {
            let count = Int.random(in: 0...200, using: &rng)
            let bytes: [UInt8] = (0..<count).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? ZipkinSpanDecoder().decode(ByteBuffer(bytes: bytes))
        }
    }

    @Test("mutated valid bodies never crash the decoder")
    func mutatedBodies() throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("trace mutations"))
        let base = Array(try TraceFixtures.bytes("zipkin-v1-shared.json").readableBytesView)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 0x20...0x7E, using: &rng), at: i)
                }
            }
            _ = try? ZipkinSpanDecoder().decode(ByteBuffer(bytes: bytes))
        }
    }

    @Test("random spans encoded as Zipkin v2 JSON decode back exactly")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("trace round trip"))
        for _ in 0..<300 {
            let spans = (0..<Int.random(in: 1...5, using: &rng)).map { _ in Self.span(&rng) }
            let body = ZipkinSpanEncoder.encode(spans)
            let result = try ZipkinSpanDecoder().decode(body)
            #expect(result.rejections.isEmpty)
            #expect(result.spans == spans, "\(String(buffer: body))")
            if result.spans != spans { return }
        }
    }

    @Test("random spans stored as records read back exactly")
    func recordRoundTrip() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("trace records"))
        for _ in 0..<300 {
            let span = Self.span(&rng)
            #expect(ZipkinSpan(record: span.record) == span)
        }
    }

    // MARK: Generators

    static func hex(_ digits: Int, _ rng: inout SeededGenerator) -> String {
        var s = String((0..<digits).map { _ in "0123456789abcdef".randomElement(using: &rng)! })
        if s.allSatisfy({ $0 == "0" }) { s.removeLast(); s.append("1") }
        return s
    }

    static func text(_ rng: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "9", " ", "\"", "\\", "\n", "\t", "é", "😀", "/", "\u{01}", "get", "é\u{301}"]
        return (0..<Int.random(in: 3...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func endpoint(_ rng: inout SeededGenerator) -> ZipkinEndpoint? {
        guard Bool.random(using: &rng) else { return nil }
        var e = ZipkinEndpoint(serviceName: text(&rng))
        if Bool.random(using: &rng) { e.ipv4 = "10.0.\(Int.random(in: 0...255, using: &rng)).1" }
        if Bool.random(using: &rng) { e.ipv6 = "::\(Int.random(in: 1...9, using: &rng))" }
        if Bool.random(using: &rng) { e.port = Int.random(in: 1...65_535, using: &rng) }
        return e
    }

    static func span(_ rng: inout SeededGenerator) -> ZipkinSpan {
        let wide = Bool.random(using: &rng)
        let sent = hex(wide ? 32 : 16, &rng)
        var span = ZipkinSpan(
            traceId: wide ? sent : String(repeating: "0", count: 16) + sent, originalTraceId: wide ? nil : sent,
            id: hex(16, &rng), timestampMicros: Int64.random(in: 1...(1 << 52), using: &rng))
        if Bool.random(using: &rng) { span.parentId = hex(16, &rng) }
        if Bool.random(using: &rng) { span.name = text(&rng) }
        span.kind = [nil, .client, .server, .producer, .consumer].randomElement(using: &rng)!
        if Bool.random(using: &rng) { span.durationMicros = Int64.random(in: 1...(1 << 40), using: &rng) }
        span.localEndpoint = endpoint(&rng)
        span.remoteEndpoint = endpoint(&rng)
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            span.annotations.append(ZipkinAnnotation(timestampMicros: Int64.random(in: 1...(1 << 52), using: &rng), value: text(&rng)))
        }
        for _ in 0..<Int.random(in: 0...4, using: &rng) { span.tags[text(&rng)] = text(&rng) }
        span.debug = [nil, true, false].randomElement(using: &rng)!
        span.shared = [nil, true, false].randomElement(using: &rng)!
        return span
    }
}
