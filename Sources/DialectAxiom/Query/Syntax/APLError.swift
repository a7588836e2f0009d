import BasinModel

/// An APL parse or lowering failure: what was wrong, naming the construct, and where.
///
/// ``message`` ends with the position, `… at 3:14`; ``line`` and ``column`` carry it again for
/// Axiom's `QueryError.detail` (`line`, `column`). Columns count Unicode scalars, 1-based.
public struct APLError: ClassifiedError, CustomStringConvertible, Equatable {
    public var kind: ErrorKind
    public var message: String
    /// 1-based line of the offending construct.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the offending construct.
    public var column: Int

    public init(kind: ErrorKind = .badRequest, message: String, line: Int, column: Int) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    /// A `badRequest` error about the construct at byte `offset` of `source`; the position is
    /// appended to `reason`.
    init(_ reason: String, at offset: Int, in source: [UInt8]) {
        var line = 1
        var column = 1
        for byte in source.prefix(max(0, min(offset, source.count))) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.init(message: "\(reason) at \(line):\(column)", line: line, column: column)
    }

    public var description: String { message }
}
