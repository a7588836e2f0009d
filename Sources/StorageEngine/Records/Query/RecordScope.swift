/// Which columns a row shows at one point of a pipeline, resolved while compiling.
///
/// A row is the source (a batch's top-level fields, or a materialised table's columns) plus
/// computed slots. `extend` binds names to slots (replacing a source field of that name in
/// place), `project` hides the source and shows exactly its slots, `project-away` hides names
/// (`*` is a wildcard). Later stages compile their field references against the scope left by
/// the stages before them, so per row no name is looked up.
struct RecordScope {
    /// Where a name points.
    enum Binding: Equatable {
        case slot(Int)
        case hidden
    }

    /// Where a name resolves when an expression reads it.
    enum Resolution: Equatable {
        case slot(Int)
        case source(String)
        case missing
    }

    /// A column of the output: a source field or a slot.
    enum Column: Equatable {
        case source(Int)
        case slot(Int)
    }

    /// Names bound to a computed slot or hidden; they shadow source fields.
    private(set) var bindings: [String: Binding] = [:]
    /// Computed names in output order.
    private(set) var computedOrder: [String] = []
    /// Whether source fields show (false after `project`).
    private(set) var sourceVisible = true
    /// `project-away` wildcard patterns hiding source fields.
    private(set) var hiddenPatterns: [String] = []
    /// Whether `_time` names the record time (true over records, false over a table).
    let timeIsRecordTime: Bool

    init(timeIsRecordTime: Bool) {
        self.timeIsRecordTime = timeIsRecordTime
    }

    /// What `name` reads.
    func resolve(_ name: String) -> Resolution {
        switch bindings[name] {
        case .slot(let s)?: return .slot(s)
        case .hidden?: return .missing
        case nil:
            guard sourceVisible, !hiddenPatterns.contains(where: { RecordScope.glob($0, matches: name) }) else {
                return .missing
            }
            return .source(name)
        }
    }

    /// Binds `name` to `slot` (an `extend` column): a computed name keeps its position.
    mutating func bind(_ name: String, slot: Int) {
        if case .slot? = bindings[name] {} else if !computedOrder.contains(name) {
            computedOrder.append(name)
        }
        bindings[name] = .slot(slot)
    }

    /// Shows exactly these columns, in this order (a `project`).
    mutating func project(_ columns: [(name: String, slot: Int)]) {
        bindings = [:]
        computedOrder = []
        hiddenPatterns = []
        sourceVisible = false
        for column in columns { bind(column.name, slot: column.slot) }
    }

    /// Hides names matching each pattern (a `project-away`).
    mutating func hide(_ patterns: [String]) {
        for pattern in patterns {
            if pattern.contains("*") {
                for name in computedOrder where RecordScope.glob(pattern, matches: name) { bindings[name] = .hidden }
                computedOrder.removeAll { RecordScope.glob(pattern, matches: $0) }
                hiddenPatterns.append(pattern)
            } else {
                bindings[pattern] = .hidden
                computedOrder.removeAll { $0 == pattern }
            }
        }
    }

    /// The output columns of a row whose source fields are named `sourceNames`: visible
    /// source fields in their order (a computed column of the same name replaces the first
    /// in place), then the other computed columns. `_time` is left out over records, where
    /// the record time carries it.
    func columns(sourceNames: [String]) -> [(name: String, column: Column)] {
        var out: [(name: String, column: Column)] = []
        var placed: Set<String> = []
        if sourceVisible {
            for (i, name) in sourceNames.enumerated() where !placed.contains(name) {
                switch resolve(name) {
                case .slot(let s):
                    out.append((name, .slot(s)))
                    placed.insert(name)
                case .source:
                    out.append((name, .source(i)))
                case .missing:
                    break
                }
            }
        }
        for name in computedOrder where !placed.contains(name) {
            guard case .slot(let s)? = bindings[name] else { continue }
            if timeIsRecordTime && name == "_time" { continue }
            out.append((name, .slot(s)))
        }
        return out
    }

    /// Whether the output of a row needs its source fields (so its whole record).
    var needsSource: Bool { sourceVisible }

    /// Glob match where `*` matches any run of characters.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ni
                pi += 1
            } else if pi < p.count, p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

extension RecordScope {
    /// Whether rows show exactly their source fields (no stage changed the shape).
    var isIdentity: Bool {
        bindings.isEmpty && sourceVisible && hiddenPatterns.isEmpty
    }
}
