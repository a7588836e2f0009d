import BasinModel
import StorageAPI

/// Arithmetic on field values with Kusto's typing: int with int stays int (division
/// truncates, by zero is null, overflow wraps as `long` does), a float on either side makes a
/// float, timestamp ± int nanoseconds is a timestamp, timestamp − timestamp is int
/// nanoseconds, and anything with a null or a non-number (strings included) is null.
enum RecordArithmetic {
    static func apply(_ op: RecordBinaryOp, _ a: FieldValue, _ b: FieldValue) -> FieldValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return ints(op, x, y)
        case (.timestamp(let t), .int(let d)):
            switch op {
            case .add: return .timestamp(t &+ d)
            case .subtract: return .timestamp(t &- d)
            default: return .null
            }
        case (.int(let d), .timestamp(let t)):
            return op == .add ? .timestamp(t &+ d) : .null
        case (.timestamp(let x), .timestamp(let y)):
            return op == .subtract ? .int(x &- y) : .null
        default:
            guard let x = double(a), let y = double(b) else { return .null }
            return floats(op, x, y)
        }
    }

    /// The number as a double; nil for non-numbers.
    @inline(__always)
    static func double(_ value: FieldValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    private static func ints(_ op: RecordBinaryOp, _ x: Int64, _ y: Int64) -> FieldValue {
        switch op {
        case .add: return .int(x &+ y)
        case .subtract: return .int(x &- y)
        case .multiply: return .int(x &* y)
        case .divide:
            guard y != 0 else { return .null }
            return .int(x.dividedReportingOverflow(by: y).partialValue)
        case .modulo:
            guard y != 0 else { return .null }
            return .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
        default: return .null
        }
    }

    private static func floats(_ op: RecordBinaryOp, _ x: Double, _ y: Double) -> FieldValue {
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide: return .float(x / y)
        case .modulo: return y == 0 ? .null : .float(x.truncatingRemainder(dividingBy: y))
        default: return .null
        }
    }
}
