import BasinModel
import CompressNIO
import NIOCore

/// Undoes a request's `Content-Encoding` into a buffer of bounded size.
///
/// Supports `identity`, `gzip` (and `x-gzip`), `deflate` and `zstd` (``ZstdDecoder``, what
/// axiom-go and the Datadog Agent send; also under datadog-api-client's name `zstd1`). HTTP's `deflate` means zlib-wrapped deflate (RFC 9110), which is what
/// datadogpy's `compress_payload=True` sends; some clients send raw deflate under the same name,
/// so a body that is not valid zlib is retried as raw deflate.
public enum ContentDecoding {
    /// The encodings ``decode(_:encoding:maxDecodedBytes:)`` accepts.
    public static let supportedEncodings = ["identity", "gzip", "x-gzip", "deflate", "zstd", "zstd1"]

    /// Decodes `body` according to the `Content-Encoding` header value `encoding`.
    ///
    /// - Parameters:
    ///   - body: the body as received; consumed.
    ///   - encoding: the header value, or nil when absent. Only one coding is accepted.
    ///   - maxDecodedBytes: the most bytes the decoded body may have.
    /// - Returns: the decoded body (the input itself for identity).
    /// - Throws: `WireError` of kind `unsupportedMediaType` for an unknown coding, `payloadTooLarge`
    ///   when the decoded body would exceed `maxDecodedBytes`, `badRequest` for corrupt data.
    public static func decode(
        _ body: ByteBuffer, encoding: String?, maxDecodedBytes: Int
    ) throws(ContentDecodingError) -> ByteBuffer {
        let coding = (encoding ?? "identity").trimmingASCIISpaces().lowercased()
        switch coding {
        case "", "identity":
            guard body.readableBytes <= maxDecodedBytes else {
                throw ContentDecodingError(kind: .payloadTooLarge, message: "request body exceeds the limit of \(maxDecodedBytes) bytes")
            }
            return body
        case "gzip", "x-gzip":
            return try inflate(body, algorithm: .gzip(), name: "gzip", maxDecodedBytes: maxDecodedBytes)
        case "deflate":
            do {
                return try inflate(body, algorithm: .zlib(), name: "deflate", maxDecodedBytes: maxDecodedBytes)
            } catch let error where error.kind == .badRequest {
                return try inflate(body, algorithm: .deflate(), name: "deflate", maxDecodedBytes: maxDecodedBytes)
            }
        case "zstd", "zstd1":
            return try decompressZstd(body, maxDecodedBytes: maxDecodedBytes)
        default:
            throw ContentDecodingError(
                kind: .unsupportedMediaType,
                message: "unsupported Content-Encoding \"\(coding)\"; supported: gzip, deflate, zstd, identity")
        }
    }

    private static func inflate(
        _ body: ByteBuffer, algorithm: CompressionAlgorithm, name: String, maxDecodedBytes: Int
    ) throws(ContentDecodingError) -> ByteBuffer {
        var input = body
        if input.readableBytes == 0 { return input }
        let decoded: ByteBuffer
        do {
            decoded = try input.decompress(with: algorithm, maxSize: maxDecodedBytes)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw ContentDecodingError(
                kind: .payloadTooLarge,
                message: "decompressed request body exceeds the limit of \(maxDecodedBytes) bytes")
        } catch {
            throw ContentDecodingError(kind: .badRequest, message: "request body is not valid \(name) data")
        }
        // CompressNIO checks its limit against the output buffer's capacity, which may round
        // up; the limit is exact here.
        guard decoded.readableBytes <= maxDecodedBytes else {
            throw ContentDecodingError(
                kind: .payloadTooLarge,
                message: "decompressed request body exceeds the limit of \(maxDecodedBytes) bytes")
        }
        return decoded
    }
}

extension ContentDecoding {
    private static func decompressZstd(_ body: ByteBuffer, maxDecodedBytes: Int) throws(ContentDecodingError) -> ByteBuffer {
        if body.readableBytes == 0 { return body }
        let result = body.withUnsafeReadableBytes { bytes in
            Result { () throws(ZstdError) in try ZstdDecoder.decompress(bytes, maxOutputBytes: maxDecodedBytes) }
        }
        switch result {
        case .success(let decoded):
            return ByteBuffer(bytes: decoded)
        case .failure(let error) where error.kind == .payloadTooLarge:
            throw ContentDecodingError(
                kind: .payloadTooLarge,
                message: "decompressed request body exceeds the limit of \(maxDecodedBytes) bytes")
        case .failure(let error):
            throw ContentDecodingError(kind: .badRequest, message: "request body is not valid zstd data: \(error.message)")
        }
    }
}

/// Why a body could not be decoded (see ``ContentDecoding``).
public struct ContentDecodingError: ClassifiedError, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
