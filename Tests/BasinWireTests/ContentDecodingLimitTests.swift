import BasinModel
import BasinWire
import CompressNIO
import NIOCore
import Testing

/// gzip and deflate bodies: the decompressed-size limit holds to the byte.
@Suite("Content-Encoding: gzip and deflate limits")
struct ContentDecodingLimitTests {
    static func compressed(_ size: Int, _ algorithm: CompressionAlgorithm) throws -> ByteBuffer {
        var plain = ByteBuffer(repeating: UInt8(ascii: " "), count: size)
        return try plain.compress(with: algorithm)
    }

    @Test("a body decompressing to exactly the limit passes; one byte more is payload too large",
          arguments: [("gzip", 1_048_576), ("deflate", 1_048_576), ("gzip", 1_000), ("deflate", 65_537)])
    func exactLimit(encoding: String, limit: Int) throws {
        let algorithm: CompressionAlgorithm = encoding == "gzip" ? .gzip() : .zlib()
        let atLimit = try ContentDecoding.decode(try Self.compressed(limit, algorithm), encoding: encoding, maxDecodedBytes: limit)
        #expect(atLimit.readableBytes == limit)
        do {
            _ = try ContentDecoding.decode(try Self.compressed(limit + 1, algorithm), encoding: encoding, maxDecodedBytes: limit)
            Issue.record("\(encoding): \(limit + 1) bytes decoded under a limit of \(limit)")
        } catch let error as ContentDecodingError {
            #expect(error.kind == .payloadTooLarge)
            #expect(error.message == "decompressed request body exceeds the limit of \(limit) bytes")
        } catch {
            Issue.record("\(encoding): \(error)")
        }
    }
}
