import BasinModel
import StorageAPI

/// Compiles expressions of one pipeline segment, collecting the source columns they read so
/// the segment fetches each from a batch once.
struct RecordExprCompiler {
    /// Source column names read by the segment, indexed by ``CompiledFieldRef/Base/source(_:)``.
    private(set) var sourceNames: [String] = []
    private var sourceIndex: [String: Int] = [:]

    /// Compiles `expr` against `scope`.
    ///
    /// - Throws: `badRequest` for a function called with the wrong number of arguments, a
    ///   `case` without an else, or a regular expression Swift's `Regex` rejects.
    mutating func compile(_ expr: RecordExpr, in scope: RecordScope) throws(StorageError) -> CompiledRecordExpr {
        switch expr {
        case .field(let path):
            return .field(resolve(path, in: scope))
        case .literal(let value):
            return .literal(value)
        case .not(let e):
            return .not(try compile(e, in: scope))
        case .negate(let e):
            return .negate(try compile(e, in: scope))
        case .binary(let op, let l, let r):
            return .binary(op, try compile(l, in: scope), try compile(r, in: scope))
        case .stringTest(let op, let l, let r, let caseSensitive, let negated):
            let rhs: RecordStringOperand
            switch r {
            case .literal(.null): rhs = .dynamic(.literal(.null))
            case .literal(let value): rhs = .needle(RecordTextNeedle(RecordValueText.text(of: value)))
            default: rhs = .dynamic(try compile(r, in: scope))
            }
            return .stringTest(op, try compile(l, in: scope), rhs, caseSensitive: caseSensitive, negated: negated)
        case .regex(let e, let pattern, let negated):
            return .regex(try compile(e, in: scope), try RecordRegex(pattern: pattern), negated: negated)
        case .inList(let e, let list, let caseSensitive, let negated):
            var items: [CompiledRecordExpr] = []
            for item in list { items.append(try compile(item, in: scope)) }
            return .inList(try compile(e, in: scope), items, caseSensitive: caseSensitive, negated: negated)
        case .between(let e, let low, let high, let negated):
            return .between(
                try compile(e, in: scope), try compile(low, in: scope), try compile(high, in: scope), negated: negated)
        case .call(let function, let args):
            guard function.arity.contains(args.count) else {
                throw StorageError(
                    kind: .badRequest,
                    message: "function \(function.rawValue) takes \(describe(function.arity)) arguments, got \(args.count)")
            }
            if function == .case, args.count % 2 == 0 {
                throw StorageError(
                    kind: .badRequest,
                    message: "function case takes condition/value pairs then an else value (an odd count), got \(args.count)")
            }
            var compiled: [CompiledRecordExpr] = []
            for arg in args { compiled.append(try compile(arg, in: scope)) }
            return .call(function, compiled)
        case .search(let text, let caseSensitive):
            return .search(RecordTextNeedle(text), caseSensitive: caseSensitive)
        }
    }

    /// Resolves a path: `_time`, a slot or a source column, with the dotted-name fallback
    /// (`geo.city` as one flattened field) when the path is all members.
    mutating func resolve(_ path: FieldPath, in scope: RecordScope) -> CompiledFieldRef {
        guard let head = path.head else {
            return CompiledFieldRef(base: .missing, dottedFallback: nil, rest: [])
        }
        let rest = Array(path.components.dropFirst())
        if head == "_time" && scope.timeIsRecordTime {
            return CompiledFieldRef(base: .time, dottedFallback: nil, rest: rest)
        }
        let primary = base(scope.resolve(head))
        var fallback: CompiledFieldRef.Base?
        let allMembers = rest.allSatisfy { if case .member = $0 { true } else { false } }
        if !rest.isEmpty, allMembers {
            if case .slot = primary {} else {
                let dotted = base(scope.resolve(path.description))
                if dotted != .missing { fallback = dotted }
            }
        }
        return CompiledFieldRef(base: primary, dottedFallback: fallback, rest: rest)
    }

    private mutating func base(_ resolution: RecordScope.Resolution) -> CompiledFieldRef.Base {
        switch resolution {
        case .slot(let s): return .slot(s)
        case .missing: return .missing
        case .source(let name): return .source(sourceColumn(name))
        }
    }

    /// The index of source column `name`, adding it when new.
    mutating func sourceColumn(_ name: String) -> Int {
        if let i = sourceIndex[name] { return i }
        sourceIndex[name] = sourceNames.count
        sourceNames.append(name)
        return sourceNames.count - 1
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    }
}
