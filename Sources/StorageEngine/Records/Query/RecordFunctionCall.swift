#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel
import StorageAPI

/// The scalar functions of ``RecordFunction``, following Kusto: a null or mistyped argument
/// gives null rather than an error.
enum RecordFunctionCall {
    static func evaluate(_ function: RecordFunction, _ args: [CompiledRecordExpr], _ row: RecordRow) -> FieldValue {
        switch function {
        case .iff:
            return args[0].isTrue(row) ? args[1].evaluate(row) : args[2].evaluate(row)
        case .case:
            var i = 0
            while i + 1 < args.count {
                if args[i].isTrue(row) { return args[i + 1].evaluate(row) }
                i += 2
            }
            return args[args.count - 1].evaluate(row)
        case .coalesce:
            for arg in args {
                let v = arg.evaluate(row)
                if !v.isNull { return v }
            }
            return .null
        case .strcat:
            var out = ""
            for arg in args { out += RecordValueText.text(of: arg.evaluate(row)) }
            return .string(out)
        case .bin:
            return bin(args[0].evaluate(row), args[1].evaluate(row))
        case .pow:
            guard let x = RecordArithmetic.double(args[0].evaluate(row)),
                  let y = RecordArithmetic.double(args[1].evaluate(row)) else { return .null }
            return real(pow(x, y))
        case .round:
            let digits = args.count > 1 ? args[1].evaluate(row) : .int(0)
            return round(args[0].evaluate(row), digits)
        case .substring:
            let length = args.count > 2 ? args[2].evaluate(row) : nil
            return substring(args[0].evaluate(row), args[1].evaluate(row), length)
        default:
            return unary(function, args[0].evaluate(row))
        }
    }

    private static func unary(_ function: RecordFunction, _ v: FieldValue) -> FieldValue {
        switch function {
        case .tostring: return .string(RecordValueText.text(of: v))  // Kusto: null becomes ""
        case .toint: return toint(v)
        case .toreal: return toreal(v)
        case .tobool: return tobool(v)
        case .todatetime: return todatetime(v)
        case .strlen: return v.isNull ? .null : .int(Int64(RecordValueText.text(of: v).unicodeScalars.count))
        case .tolower: return v.isNull ? .null : .string(RecordValueText.text(of: v).lowercased())
        case .toupper: return v.isNull ? .null : .string(RecordValueText.text(of: v).uppercased())
        case .isnull: return .bool(v.isNull)
        case .isnotnull: return .bool(!v.isNull)
        case .isempty: return .bool(isEmpty(v))
        case .isnotempty: return .bool(!isEmpty(v))
        case .abs:
            switch v {
            case .int(let i): return .int(i == .min ? i : Swift.abs(i))
            case .float(let d): return .float(Swift.abs(d))
            default: return .null
            }
        case .floor:
            switch v {
            case .int: return v
            case .float(let d): return .float(d.rounded(.down))
            default: return .null
            }
        case .sqrt: return math(v, sqrt)
        case .log: return math(v, log)
        case .log10: return math(v, log10)
        case .exp: return math(v, exp)
        case .arrayLength:
            if case .array(let items) = v { return .int(Int64(items.count)) }
            return .null
        case .gettype: return .string(typeName(v))
        default: return .null
        }
    }

    private static func isEmpty(_ v: FieldValue) -> Bool {
        switch v {
        case .null: true
        case .string(let s): s.isEmpty
        default: false
        }
    }

    /// A real result; NaN (for example `sqrt(-1)`) is null.
    private static func real(_ d: Double) -> FieldValue {
        d.isNaN ? .null : .float(d)
    }

    private static func math(_ v: FieldValue, _ f: (Double) -> Double) -> FieldValue {
        guard let x = RecordArithmetic.double(v) else { return .null }
        return real(f(x))
    }

    static func toint(_ v: FieldValue) -> FieldValue {
        switch v {
        case .int: return v
        case .float(let d): return d.isFinite && Swift.abs(d) < 9.2e18 ? .int(Int64(d)) : .null
        case .string(let s): return RecordValueText.parseInt(s).map { .int($0) } ?? .null
        case .bool(let b): return .int(b ? 1 : 0)
        case .timestamp(let ns): return .int(ns)
        default: return .null
        }
    }

    static func toreal(_ v: FieldValue) -> FieldValue {
        switch v {
        case .int(let i): return .float(Double(i))
        case .float: return v
        case .string(let s): return RecordValueText.parseDouble(s).map { .float($0) } ?? .null
        case .bool(let b): return .float(b ? 1 : 0)
        case .timestamp(let ns): return .float(Double(ns))
        default: return .null
        }
    }

    static func tobool(_ v: FieldValue) -> FieldValue {
        switch v {
        case .bool: return v
        case .int(let i): return .bool(i != 0)
        case .float(let d): return .bool(d != 0)
        case .string(let s):
            switch s.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .null
            }
        default: return .null
        }
    }

    static func todatetime(_ v: FieldValue) -> FieldValue {
        switch v {
        case .timestamp: return v
        case .int(let ns): return .timestamp(ns)
        case .string(let s): return RFC3339Nanos.parse(s).map { .timestamp($0) } ?? .null
        default: return .null
        }
    }

    /// `floor(x / size) * size`; a size that is not positive gives null.
    static func bin(_ x: FieldValue, _ size: FieldValue) -> FieldValue {
        switch (x, size) {
        case (.int(let v), .int(let s)):
            return floorMultiple(v, s).map { .int($0) } ?? .null
        case (.timestamp(let t), .int(let s)):
            return floorMultiple(t, s).map { .timestamp($0) } ?? .null
        case (.timestamp(let t), .float(let s)):
            guard s >= 1, s < 9.2e18 else { return .null }
            return floorMultiple(t, Int64(s)).map { .timestamp($0) } ?? .null
        default:
            guard let v = RecordArithmetic.double(x), let s = RecordArithmetic.double(size), s > 0 else { return .null }
            return .float((v / s).rounded(.down) * s)
        }
    }

    /// The largest multiple of `s` not above `v`; nil when `s` is not positive or the
    /// multiple is not representable.
    private static func floorMultiple(_ v: Int64, _ s: Int64) -> Int64? {
        guard s > 0 else { return nil }
        var q = v / s
        if v % s != 0 && v < 0 { q -= 1 }
        let (m, overflow) = q.multipliedReportingOverflow(by: s)
        return overflow ? nil : m
    }

    private static func round(_ x: FieldValue, _ digits: FieldValue) -> FieldValue {
        guard case .int(let n) = digits else { return .null }
        switch x {
        case .int: return x
        case .float(let d):
            let scale = pow(10, Double(max(-300, min(300, n))))
            return real((d * scale).rounded(.toNearestOrAwayFromZero) / scale)
        default: return .null
        }
    }

    /// `substring(s, start[, length])` over Unicode scalars; a negative start counts as 0.
    private static func substring(_ s: FieldValue, _ start: FieldValue, _ length: FieldValue?) -> FieldValue {
        if s.isNull { return .null }
        guard case .int(let from) = toint(start) else { return .null }
        let scalars = Array(RecordValueText.text(of: s).unicodeScalars)
        let lower = Int(max(0, min(from, Int64(scalars.count))))
        var upper = scalars.count
        if let length {
            guard case .int(let n) = toint(length) else { return .null }
            upper = Int(max(Int64(lower), min(Int64(scalars.count), Int64(lower) + max(0, min(n, Int64(Int32.max))))))
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lower..<upper])
        return .string(String(out))
    }

    /// Kusto's type names (`long`, `real`, `datetime`, `dictionary`).
    static func typeName(_ v: FieldValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "bool"
        case .int: "long"
        case .float: "real"
        case .string: "string"
        case .timestamp: "datetime"
        case .array: "array"
        case .object: "dictionary"
        }
    }
}
