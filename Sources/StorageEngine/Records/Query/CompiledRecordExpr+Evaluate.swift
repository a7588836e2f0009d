import BasinModel
import StorageAPI

extension CompiledRecordExpr {
    /// The value of the expression for the current row of `row`.
    func evaluate(_ row: RecordRow) -> FieldValue {
        switch self {
        case .field(let ref):
            return ref.value(row)
        case .literal(let value):
            return value
        case .not(let e):
            if case .bool(let b) = e.evaluate(row) { return .bool(!b) }
            return .null
        case .negate(let e):
            switch e.evaluate(row) {
            case .int(let i): return .int(0 &- i)
            case .float(let d): return .float(-d)
            default: return .null
            }
        case .binary(let op, let l, let r):
            switch op {
            case .and: return .bool(l.isTrue(row) && r.isTrue(row))
            case .or: return .bool(l.isTrue(row) || r.isTrue(row))
            case .eq, .ne, .lt, .le, .gt, .ge:
                return .bool(CompiledRecordExpr.compare(op, l.evaluate(row), r.evaluate(row)))
            case .add, .subtract, .multiply, .divide, .modulo:
                return RecordArithmetic.apply(op, l.evaluate(row), r.evaluate(row))
            }
        case .call(let function, let args):
            return RecordFunctionCall.evaluate(function, args, row)
        case .stringTest, .regex, .inList, .between, .search:
            return .bool(predicate(row))
        }
    }

    /// The predicates that are false on a null operand in both their plain and negated forms.
    private func predicate(_ row: RecordRow) -> Bool {
        switch self {
        case .stringTest(let op, let l, let r, let caseSensitive, let negated):
            return CompiledRecordExpr.stringTest(op, l, r, caseSensitive: caseSensitive, negated: negated, row)
        case .regex(let e, let regex, let negated):
            let value = e.evaluate(row)
            if value.isNull { return false }
            return regex.matches(CompiledRecordExpr.text(value)) != negated
        case .inList(let e, let items, let caseSensitive, let negated):
            let value = e.evaluate(row)
            if value.isNull { return false }
            let found = items.contains { CompiledRecordExpr.equal(value, $0.evaluate(row), caseSensitive: caseSensitive) }
            return found != negated
        case .between(let e, let low, let high, let negated):
            let value = e.evaluate(row)
            if value.isNull { return false }
            let lower = RecordValueOrder.compareForOperator(value, low.evaluate(row))
            let upper = RecordValueOrder.compareForOperator(value, high.evaluate(row))
            let inside = (lower ?? -1) >= 0 && (upper ?? 1) <= 0
            return inside != negated
        case .search(let needle, let caseSensitive):
            return row.record().fields.contains { CompiledRecordExpr.search($0.value, needle, caseSensitive: caseSensitive) }
        default:
            return isTrue(row)
        }
    }

    /// Whether the expression is `true` for the row (null and non-bools are false).
    @inline(__always)
    func isTrue(_ row: RecordRow) -> Bool {
        if case .bool(true) = evaluate(row) { return true }
        return false
    }

    /// A comparison operator: false when either side is null or the types do not compare,
    /// except `!=`, which is true unless both sides are null.
    @inline(__always)
    static func compare(_ op: RecordBinaryOp, _ a: FieldValue, _ b: FieldValue) -> Bool {
        guard let c = RecordValueOrder.compareForOperator(a, b) else {
            return op == .ne && !(a.isNull && b.isNull)
        }
        switch op {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        case .ge: return c >= 0
        default: return false
        }
    }

    /// Equality for `in`: strings ignoring case unless `caseSensitive`, numbers numerically.
    static func equal(_ a: FieldValue, _ b: FieldValue, caseSensitive: Bool) -> Bool {
        if !caseSensitive, case .string(let x) = a, case .string(let y) = b {
            return RecordTextNeedle.equalIgnoringCase(x, y)
        }
        return RecordValueOrder.compareForOperator(a, b) == 0
    }

    /// The text a string test or regex sees.
    @inline(__always)
    static func text(_ value: FieldValue) -> String {
        if case .string(let s) = value { return s }
        return RecordValueText.text(of: value)
    }

    private static func stringTest(
        _ op: RecordStringOp, _ l: CompiledRecordExpr, _ r: RecordStringOperand,
        caseSensitive: Bool, negated: Bool, _ row: RecordRow
    ) -> Bool {
        let lhs = l.evaluate(row)
        if lhs.isNull { return false }
        switch r {
        case .needle(let needle):
            return needle.matches(text(lhs), op, caseSensitive: caseSensitive) != negated
        case .dynamic(let e):
            let rhs = e.evaluate(row)
            if rhs.isNull { return false }
            return RecordTextNeedle(text(rhs)).matches(text(lhs), op, caseSensitive: caseSensitive) != negated
        }
    }

    private static func search(_ value: FieldValue, _ needle: RecordTextNeedle, caseSensitive: Bool) -> Bool {
        switch value {
        case .string(let s): return needle.matches(s, .contains, caseSensitive: caseSensitive)
        case .array(let items): return items.contains { search($0, needle, caseSensitive: caseSensitive) }
        case .object(let members): return members.contains { search($0.value, needle, caseSensitive: caseSensitive) }
        default: return false
        }
    }
}

extension CompiledFieldRef {
    /// The value in the current row; `.null` when absent.
    @inline(__always)
    func value(_ row: RecordRow) -> FieldValue {
        guard var current = CompiledFieldRef.top(base, row) else {
            if let dottedFallback { return CompiledFieldRef.top(dottedFallback, row) ?? .null }
            return .null
        }
        for component in rest {
            switch component {
            case .member(let name):
                guard case .object(let members) = current, let m = members.first(where: { $0.name == name }) else {
                    return .null
                }
                current = m.value
            case .index(let i):
                guard case .array(let items) = current else { return .null }
                let j = i < 0 ? items.count + i : i
                guard j >= 0, j < items.count else { return .null }
                current = items[j]
            }
        }
        return current
    }

    @inline(__always)
    private static func top(_ base: Base, _ row: RecordRow) -> FieldValue? {
        switch base {
        case .time: .timestamp(row.time)
        case .slot(let s): row.slots[s]
        case .source(let c): row.source(c)
        case .missing: nil
        }
    }
}
