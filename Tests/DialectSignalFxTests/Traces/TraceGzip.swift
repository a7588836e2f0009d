import CompressNIO
import NIOCore

/// gzip for trace request bodies in tests.
enum TraceGzip {
    struct Failure: Error {}

    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        guard let compressed = try? buffer.compress(with: .gzip()) else { throw Failure() }
        return Array(buffer: compressed)
    }
}
