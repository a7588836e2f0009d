import BasinModel
import StorageAPI

/// A canonical one-line rendering of lowered stages, for table tests: stages joined by ` | `,
/// expressions fully parenthesised, paths with bracket-quoted members where a name is not a
/// plain identifier (so `['geo.city']` and `geo.city` render differently).
func describe(_ stages: [RecordStage]) -> String {
    stages.map(describe).joined(separator: " | ")
}

func describe(_ stage: RecordStage) -> String {
    switch stage {
    case .filter(let e): "where \(describe(e))"
    case .extend(let columns): "extend \(describe(columns))"
    case .project(let columns): "project \(describe(columns))"
    case .projectAway(let names): "project-away \(names.joined(separator: ", "))"
    case .summarize(let aggregates, let keys):
        "summarize \(aggregates.map { "\($0.name)=\(describe($0.aggregate))" }.joined(separator: ", "))"
            + (keys.isEmpty ? "" : " by \(describe(keys))")
    case .sort(let keys): "sort \(keys.map { "\(describe($0.expr)) \($0.descending ? "desc" : "asc")" }.joined(separator: ", "))"
    case .limit(let n): "limit \(n)"
    case .offset(let n): "offset \(n)"
    case .distinct(let columns): "distinct \(describe(columns))"
    }
}

func describe(_ columns: [NamedExpr]) -> String {
    columns.map { "\($0.name)=\(describe($0.expr))" }.joined(separator: ", ")
}

func describe(_ aggregate: RecordAggregate) -> String {
    switch aggregate {
    case .count: "count()"
    case .countIf(let p): "countif(\(describe(p)))"
    case .sum(let x): "sum(\(describe(x)))"
    case .sumIf(let x, let p): "sumif(\(describe(x)), \(describe(p)))"
    case .avg(let x): "avg(\(describe(x)))"
    case .min(let x): "min(\(describe(x)))"
    case .max(let x): "max(\(describe(x)))"
    case .dcount(let x): "dcount(\(describe(x)))"
    case .percentile(let x, let p): "percentile(\(describe(x)), \(p))"
    case .topk(let x, let k): "topk(\(describe(x)), \(k))"
    case .makeList(let x): "make_list(\(describe(x)))"
    case .makeSet(let x): "make_set(\(describe(x)))"
    }
}

func describe(_ expr: RecordExpr) -> String {
    switch expr {
    case .field(let path): describe(path)
    case .literal(let value): describe(value)
    case .not(let x): "not(\(describe(x)))"
    case .negate(let x): "neg(\(describe(x)))"
    case .binary(let op, let a, let b): "(\(describe(a)) \(op.rawValue) \(describe(b)))"
    case .stringTest(let op, let a, let b, let cs, let negated):
        "\(negated ? "!" : "")\(op.rawValue)\(cs ? "_cs" : "")(\(describe(a)), \(describe(b)))"
    case .regex(let x, let pattern, let negated): "\(negated ? "!" : "")regex(\(describe(x)), \(describe(.string(pattern))))"
    case .inList(let x, let items, let cs, let negated):
        "\(negated ? "!" : "")in\(cs ? "" : "~")(\(describe(x)), [\(items.map(describe).joined(separator: ", "))])"
    case .between(let x, let low, let high, let negated):
        "\(negated ? "!" : "")between(\(describe(x)), \(describe(low)), \(describe(high)))"
    case .call(let function, let args): "\(function.rawValue)(\(args.map(describe).joined(separator: ", ")))"
    case .search(let text, let cs): "search\(cs ? "_cs" : "")(\(describe(.string(text))))"
    }
}

func describe(_ path: FieldPath) -> String {
    var out = ""
    for component in path.components {
        switch component {
        case .member(let name):
            let plain = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(name.first?.isNumber ?? true)
            if plain {
                out += out.isEmpty ? name : "." + name
            } else {
                out += "['\(name)']"
            }
        case .index(let i): out += "[\(i)]"
        }
    }
    return out
}

func describe(_ value: FieldValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let b): String(b)
    case .int(let n): String(n)
    case .float(let x): "\(x)f"
    case .string(let s): "\"\(s.replacingOccurrencesOfQuote())\""
    case .timestamp(let ns): "ts(\(ns))"
    case .array(let items): "[\(items.map(describe).joined(separator: ", "))]"
    case .object(let members): "{\(members.map { "\($0.name): \(describe($0.value))" }.joined(separator: ", "))}"
    }
}

extension String {
    fileprivate func replacingOccurrencesOfQuote() -> String {
        var out = ""
        for c in self {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
