import BasinModel

/// Why a Zstandard body could not be decompressed (see ``ZstdDecoder``).
///
/// `payloadTooLarge` when the output would exceed the caller's limit; `badRequest` for corrupt,
/// truncated or unsupported input, with a message naming what is wrong and, where it helps, the
/// input byte offset.
public struct ZstdError: ClassifiedError, CustomStringConvertible {
    public let kind: ErrorKind
    public let message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Corrupt, truncated or unsupported input.
    static func corrupt(_ message: String) -> ZstdError {
        ZstdError(kind: .badRequest, message: message)
    }

    /// The output would exceed `limit` bytes.
    static func tooLarge(limit: Int) -> ZstdError {
        ZstdError(kind: .payloadTooLarge, message: "decompressed data exceeds the limit of \(limit) bytes")
    }
}
