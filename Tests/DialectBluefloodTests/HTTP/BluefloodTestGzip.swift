import CompressNIO
import NIOCore

/// gzip for request bodies in tests.
enum BluefloodTestGzip {
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        var buffer = ByteBuffer(bytes: bytes)
        guard let compressed = try? buffer.compress(with: .gzip()) else { return nil }
        return Array(buffer: compressed)
    }
}
