import BasinModel
import BasinWire
import NIOCore
import Testing

@Suite("Content-Encoding: zstd")
struct ContentDecodingZstdTests {
    @Test("decodes a zstd body", arguments: ["zstd", "ZSTD", " zstd ", "zstd1"])
    func decodes(encoding: String) throws {
        let body = ByteBuffer(bytes: try ZstdFixtures.bytes("ndjson-logs.level3.zst"))
        let decoded = try ContentDecoding.decode(body, encoding: encoding, maxDecodedBytes: 1 << 20)
        #expect(decoded == ByteBuffer(bytes: try ZstdFixtures.bytes("ndjson-logs.raw")))
        #expect(ContentDecoding.supportedEncodings.contains("zstd"))
    }

    @Test("an empty zstd body is an empty body")
    func emptyBody() throws {
        #expect(try ContentDecoding.decode(ByteBuffer(), encoding: "zstd", maxDecodedBytes: 10).readableBytes == 0)
    }

    static let failures: [(what: String, fixture: String, limit: Int, kind: ErrorKind, message: String)] = [
        ("declared size over the limit", "ndjson-logs.level3.zst", 1000, .payloadTooLarge,
         "decompressed request body exceeds the limit of 1000 bytes"),
        ("streamed output over the limit", "ndjson-logs.streamed.zst", 1000, .payloadTooLarge,
         "decompressed request body exceeds the limit of 1000 bytes"),
        ("not zstd at all", "ndjson-logs.raw", 1 << 20, .badRequest,
         "request body is not valid zstd data: no zstd frame at byte 0 (magic number 0x745f227b)"),
    ]

    @Test("maps decoder errors to content decoding errors", arguments: failures)
    func fails(what: String, fixture: String, limit: Int, kind: ErrorKind, message: String) throws {
        let body = ByteBuffer(bytes: try ZstdFixtures.bytes(fixture))
        do {
            _ = try ContentDecoding.decode(body, encoding: "zstd", maxDecodedBytes: limit)
            Issue.record("\(what): decoded")
        } catch {
            #expect(error.kind == kind, "\(what)")
            #expect(error.message == message, "\(what)")
        }
    }

    @Test("a corrupt body names the problem")
    func corrupt() throws {
        var bytes = try ZstdFixtures.bytes("small.level3.zst")
        bytes.removeLast(10)
        do {
            _ = try ContentDecoding.decode(ByteBuffer(bytes: bytes), encoding: "zstd", maxDecodedBytes: 1 << 20)
            Issue.record("decoded")
        } catch {
            #expect(error.kind == .badRequest)
            #expect(error.message.hasPrefix("request body is not valid zstd data: "))
        }
    }

    @Test("unknown encodings list zstd among the supported ones")
    func unsupportedMessage() {
        do {
            _ = try ContentDecoding.decode(ByteBuffer(), encoding: "br", maxDecodedBytes: 10)
            Issue.record("decoded")
        } catch {
            #expect(error.kind == .unsupportedMediaType)
            #expect(error.message == "unsupported Content-Encoding \"br\"; supported: gzip, deflate, zstd, identity")
        }
    }
}
