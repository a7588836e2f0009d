import BasinModel

/// A PromQL syntax or type error, with its position in the query text.
///
/// ``message`` reads like Prometheus': `1:5: parse error: unexpected "="`.
public struct PromQLError: ClassifiedError, CustomStringConvertible, Equatable {
    public var kind: ErrorKind { .badRequest }
    /// The problem without the position.
    public var reason: String
    /// 1-based line of the offending byte.
    public var line: Int
    /// 1-based column (in bytes) of the offending byte.
    public var column: Int

    public init(reason: String, line: Int, column: Int) {
        self.reason = reason
        self.line = line
        self.column = column
    }

    /// An error at byte `offset` of `source`.
    public init(_ reason: String, at offset: Int, in source: [UInt8]) {
        var line = 1
        var column = 1
        for b in source.prefix(max(0, min(offset, source.count))) {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.init(reason: reason, line: line, column: column)
    }

    public var message: String { "\(line):\(column): parse error: \(reason)" }
    public var description: String { message }
}
