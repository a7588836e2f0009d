import BasinModel
import StorageAPI

/// A ``RecordExpr`` with its field references resolved against a ``RecordScope`` and its
/// literal needles and regexes prepared, ready to evaluate per row.
indirect enum CompiledRecordExpr {
    case field(CompiledFieldRef)
    case literal(FieldValue)
    case not(CompiledRecordExpr)
    case negate(CompiledRecordExpr)
    case binary(RecordBinaryOp, CompiledRecordExpr, CompiledRecordExpr)
    /// A string test; a literal right-hand side is folded once (`needle`).
    case stringTest(RecordStringOp, CompiledRecordExpr, RecordStringOperand, caseSensitive: Bool, negated: Bool)
    case regex(CompiledRecordExpr, RecordRegex, negated: Bool)
    case inList(CompiledRecordExpr, [CompiledRecordExpr], caseSensitive: Bool, negated: Bool)
    case between(CompiledRecordExpr, CompiledRecordExpr, CompiledRecordExpr, negated: Bool)
    case call(RecordFunction, [CompiledRecordExpr])
    case search(RecordTextNeedle, caseSensitive: Bool)
}

/// The right-hand side of a string test.
enum RecordStringOperand {
    /// A literal, folded when the plan was built.
    case needle(RecordTextNeedle)
    /// Computed per row.
    case dynamic(CompiledRecordExpr)
}

/// A field reference resolved to where its value lives in a row.
struct CompiledFieldRef {
    /// Where the top-level value comes from.
    enum Base: Equatable {
        /// The record time.
        case time
        /// A computed slot.
        case slot(Int)
        /// A source column, by its index in the segment's column table.
        case source(Int)
        /// Nothing (a hidden or unknown name).
        case missing
    }

    var base: Base
    /// The dotted name (`geo.city`) to read when the first key is not a field of the row.
    var dottedFallback: Base?
    /// Members and indexes walked from the top-level value.
    var rest: [FieldPath.Component]
}

/// A compiled Swift regular expression (compiled once per plan).
final class RecordRegex {
    let pattern: String
    let regex: Regex<AnyRegexOutput>

    init(pattern: String) throws(StorageError) {
        self.pattern = pattern
        do {
            self.regex = try Regex(pattern)
        } catch {
            throw StorageError(kind: .badRequest, message: "invalid regular expression \"\(pattern)\": \(error)")
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
