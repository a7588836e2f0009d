import BasinModel
import BasinWire
import Hummingbird
import NIOCore

/// Reads request bodies with explicit limits, before and after decompression.
public enum BodyReader {
    /// Collects the body as sent (at most `maxBytes`, default `limits.maxBodyBytes`) and undoes its
    /// `Content-Encoding` into a buffer of at most `limits.maxDecompressedBytes`.
    ///
    /// A declared `Content-Length` over the limit fails before anything is read.
    /// - Throws: ``BodyError`` of kind `payloadTooLarge` (the message names the limit),
    ///   `unsupportedMediaType` for an unknown encoding, `badRequest` for corrupt compressed data.
    public static func read(_ request: Request, limits: HTTPLimits, maxBytes: Int? = nil) async throws(BodyError) -> ByteBuffer {
        let limit = maxBytes ?? limits.maxBodyBytes
        let encoding = request.headers[.contentEncoding]
        // Reject unknown encodings before reading the body.
        if let encoding {
            let coding = encoding.lowercased().trimmingASCII(" \t")
            if !ContentDecoding.supportedEncodings.contains(coding), !coding.isEmpty {
                throw BodyError(
                    kind: .unsupportedMediaType,
                    message: "unsupported Content-Encoding \"\(coding)\"; supported: gzip, deflate, zstd, identity")
            }
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw BodyError(kind: .payloadTooLarge, message: "request body of \(declared) bytes exceeds the limit of \(limit) bytes")
        }
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else {
                    throw BodyError(kind: .payloadTooLarge, message: "request body exceeds the limit of \(limit) bytes")
                }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
        } catch let error as BodyError {
            throw error
        } catch {
            throw BodyError(kind: .badRequest, message: "could not read the request body: \(error)")
        }
        do {
            return try ContentDecoding.decode(collected, encoding: encoding, maxDecodedBytes: limits.maxDecompressedBytes)
        } catch {
            throw BodyError(kind: error.kind, message: error.message)
        }
    }
}

/// Why a body could not be read (see ``BodyReader``).
public struct BodyError: ClassifiedError, CustomStringConvertible {
    public let kind: ErrorKind
    public let message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension String {
    func trimmingASCII(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
