import BasinModel

/// A failure to decode bytes from the network: what went wrong, where, and how to classify it.
///
/// Thrown with typed throws (`throws(WireError)`) by every synchronous decoder in BasinWire and in
/// the dialects' `Intake/` folders, so the hot path never boxes an existential error.
public struct WireError: ClassifiedError, Equatable, CustomStringConvertible {
    /// What kind of decoding failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The input ended inside a value.
        case unexpectedEnd = "unexpected_end"
        /// A byte that cannot start or continue the expected token.
        case unexpectedByte = "unexpected_byte"
        /// A malformed escape, an unescaped control character or invalid UTF-8 in a string.
        case invalidString = "invalid_string"
        /// A malformed or out-of-range number.
        case invalidNumber = "invalid_number"
        /// Containers nested deeper than the scanner's limit.
        case depthExceeded = "depth_exceeded"
        /// A well-formed value of the wrong JSON type for its field.
        case typeMismatch = "type_mismatch"
        /// A required field is absent.
        case missingField = "missing_field"
        /// A count or length over a configured limit.
        case limitExceeded = "limit_exceeded"
        /// Bytes after the end of the top-level value.
        case trailingData = "trailing_data"
    }

    /// What went wrong.
    public let code: Code
    /// The error's classification (``ErrorKind/badRequest`` or ``ErrorKind/limitExceeded``).
    public let kind: ErrorKind
    /// A message fit to show the client; it ends with the byte offset when one is known.
    public let message: String
    /// The byte offset in the decoded input where the problem was found, when known.
    public let offset: Int?

    /// Creates an error; the offset, when given, is appended to the message as `at byte N`.
    ///
    /// - Parameters:
    ///   - code: what went wrong.
    ///   - detail: the human part of the message, without the position.
    ///   - offset: the byte offset in the input, or nil.
    ///   - kind: the classification; defaults to ``ErrorKind/limitExceeded`` for
    ///     ``Code/limitExceeded`` and ``ErrorKind/badRequest`` otherwise.
    public init(_ code: Code, _ detail: String, offset: Int?, kind: ErrorKind? = nil) {
        self.code = code
        self.kind = kind ?? (code == .limitExceeded || code == .depthExceeded ? .limitExceeded : .badRequest)
        self.offset = offset
        if let offset {
            self.message = "\(detail) at byte \(offset)"
        } else {
            self.message = detail
        }
    }

    private init(code: Code, kind: ErrorKind, message: String, offset: Int?) {
        self.code = code
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    /// The same error with `context` (a field path such as `series[2].points`) before the message.
    public func withContext(_ context: String) -> WireError {
        WireError(code: code, kind: kind, message: "\(context): \(message)", offset: offset)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
