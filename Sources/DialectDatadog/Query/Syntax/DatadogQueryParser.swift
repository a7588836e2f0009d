/// Parses the Datadog metrics query language (spec §4.1) into ``DatadogQueryExpr`` values.
///
/// A hand-written recursive-descent parser over the query's UTF-8 bytes. Errors name the byte
/// offset where parsing failed. Nesting is bounded, so hostile input cannot exhaust the stack.
public struct DatadogQueryParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    /// Deepest nesting of parentheses, function calls and boolean filters accepted.
    static let maxDepth = 64
    /// Space aggregators accepted before `:`.
    static let spaceAggregators: Set<String> = ["avg", "sum", "min", "max", "count", "p50", "p75", "p90", "p95", "p99"]

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses a comma-separated query list; one expression per `query_index`.
    public static func parse(_ text: String) throws(DatadogQueryError) -> [DatadogQueryExpr] {
        var parser = DatadogQueryParser(text)
        var out: [DatadogQueryExpr] = []
        parser.skipSpace()
        if parser.atEnd { throw DatadogQueryError("empty query", position: 0) }
        while true {
            out.append(try parser.parseExpr())
            parser.skipSpace()
            if parser.atEnd { return out }
            guard parser.peek == UInt8(ascii: ",") else { throw parser.unexpected() }
            parser.index += 1
        }
    }

    // MARK: Expressions

    mutating func parseExpr() throws(DatadogQueryError) -> DatadogQueryExpr {
        try enter()
        defer { depth -= 1 }
        var lhs = try parseTerm()
        while true {
            skipSpace()
            guard let b = peek, b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else { return lhs }
            index += 1
            let rhs = try parseTerm()
            lhs = .binary(b == UInt8(ascii: "+") ? .add : .subtract, lhs, rhs)
        }
    }

    mutating func parseTerm() throws(DatadogQueryError) -> DatadogQueryExpr {
        var lhs = try parseUnary()
        while true {
            skipSpace()
            guard let b = peek, b == UInt8(ascii: "*") || b == UInt8(ascii: "/") else { return lhs }
            index += 1
            let rhs = try parseUnary()
            lhs = .binary(b == UInt8(ascii: "*") ? .multiply : .divide, lhs, rhs)
        }
    }

    mutating func parseUnary() throws(DatadogQueryError) -> DatadogQueryExpr {
        skipSpace()
        if peek == UInt8(ascii: "-") {
            index += 1
            try enter()
            defer { depth -= 1 }
            let inner = try parseUnary()
            if case .number(let v) = inner { return .number(-v) }
            return .negate(inner)
        }
        return try parseFactor()
    }

    mutating func parseFactor() throws(DatadogQueryError) -> DatadogQueryExpr {
        skipSpace()
        guard let b = peek else { throw DatadogQueryError("unexpected end of query", position: index) }
        if b == UInt8(ascii: "(") {
            index += 1
            let inner = try parseExpr()
            try expect(")")
            return .parenthesized(inner)
        }
        if Self.isDigit(b) || b == UInt8(ascii: ".") {
            return .number(try parseNumber())
        }
        guard Self.isLetter(b) else { throw unexpected() }
        let start = index
        let name = readName()
        skipSpace()
        if peek == UInt8(ascii: "(") {
            return .function(try parseCall(name, at: start))
        }
        if peek == UInt8(ascii: ":"), Self.spaceAggregators.contains(name) {
            index += 1
            skipSpace()
            guard let c = peek, Self.isLetter(c) else {
                throw DatadogQueryError("expected a metric name after '\(name):'", position: index)
            }
            return .metric(try parseMetric(aggregator: name, name: readName(), at: start))
        }
        return .metric(try parseMetric(aggregator: nil, name: name, at: start))
    }

    mutating func parseCall(_ name: String, at start: Int) throws(DatadogQueryError) -> DatadogFunctionCall {
        try expect("(")
        try enter()
        defer { depth -= 1 }
        let input = try parseExpr()
        var arguments: [DatadogArgument] = []
        while true {
            skipSpace()
            if peek == UInt8(ascii: ")") { index += 1; break }
            try expect(",")
            arguments.append(try parseArgument())
        }
        return DatadogFunctionCall(name: name, input: input, arguments: arguments, position: start)
    }

    mutating func parseArgument() throws(DatadogQueryError) -> DatadogArgument {
        skipSpace()
        guard let b = peek else { throw DatadogQueryError("unexpected end of query", position: index) }
        if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
            index += 1
            let start = index
            while let c = peek, c != b { index += 1 }
            guard !atEnd else { throw DatadogQueryError("unterminated string", position: start - 1) }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            index += 1
            return .text(text)
        }
        if b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || Self.isDigit(b) || b == UInt8(ascii: ".") {
            let negative = b == UInt8(ascii: "-")
            if !Self.isDigit(b), b != UInt8(ascii: ".") { index += 1 }
            let value = try parseNumber()
            return .number(negative ? -value : value)
        }
        guard Self.isLetter(b) else { throw unexpected() }
        return .text(readName())
    }

    // MARK: Metric queries

    mutating func parseMetric(aggregator: String?, name: String, at start: Int) throws(DatadogQueryError) -> DatadogMetricQuery {
        skipSpace()
        guard peek == UInt8(ascii: "{") else {
            throw DatadogQueryError("expected '{' after metric name '\(name)'", position: index)
        }
        index += 1
        let scope = try parseScope()
        var query = DatadogMetricQuery(
            spaceAggregator: aggregator, metricName: name, scope: scope, groupBy: [], modifiers: [], position: start)
        skipSpace()
        if lookingAtWord("by") {
            let save = index
            index += 2
            skipSpace()
            if peek == UInt8(ascii: "{") {
                index += 1
                query.groupBy = try parseGroupKeys()
            } else {
                index = save
            }
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: ".") else { break }
            index += 1
            query.modifiers.append(try parseModifier())
        }
        return query
    }

    mutating func parseGroupKeys() throws(DatadogQueryError) -> [String] {
        var keys: [String] = []
        while true {
            skipSpace()
            let start = index
            while let b = peek, Self.isTagByte(b) { index += 1 }
            guard index > start else { throw unexpected() }
            keys.append(String(decoding: bytes[start..<index], as: UTF8.self))
            skipSpace()
            if peek == UInt8(ascii: "}") { index += 1; return keys }
            try expect(",")
        }
    }

    mutating func parseModifier() throws(DatadogQueryError) -> DatadogModifier {
        let start = index
        guard let b = peek, Self.isLetter(b) else { throw DatadogQueryError("expected a modifier after '.'", position: index) }
        let name = readName()
        try expect("(")
        var arguments: [DatadogArgument] = []
        skipSpace()
        if peek == UInt8(ascii: ")") {
            index += 1
        } else {
            while true {
                arguments.append(try parseArgument())
                skipSpace()
                if peek == UInt8(ascii: ")") { index += 1; break }
                try expect(",")
            }
        }
        return try Self.modifier(name, arguments, at: start)
    }

    static func modifier(_ name: String, _ arguments: [DatadogArgument], at position: Int) throws(DatadogQueryError) -> DatadogModifier {
        func seconds(_ argument: DatadogArgument) throws(DatadogQueryError) -> Int64 {
            guard case .number(let v) = argument, v >= 1, v <= 31_536_000, v == v.rounded() else {
                throw DatadogQueryError("\(name) expects a whole number of seconds between 1 and 31536000", position: position)
            }
            return Int64(v)
        }
        switch (name, arguments.count) {
        case ("as_count", 0): return .asCount
        case ("as_rate", 0): return .asRate
        case ("weighted", 0): return .weighted
        case ("rollup", 0): return .rollup(method: nil, seconds: nil)
        case ("rollup", 1), ("rollup", 2):
            if arguments.count == 1, case .number = arguments[0] { return .rollup(method: nil, seconds: try seconds(arguments[0])) }
            guard case .text(let m) = arguments[0], let method = DatadogRollupMethod(rawValue: m) else {
                throw DatadogQueryError("unknown rollup method; use avg, sum, min, max or count", position: position)
            }
            return .rollup(method: method, seconds: arguments.count == 2 ? try seconds(arguments[1]) : nil)
        case ("fill", 1), ("fill", 2):
            guard case .text(let m) = arguments[0], let method = DatadogFillMethod(rawValue: m) else {
                throw DatadogQueryError("unknown fill method; use null, zero, linear or last", position: position)
            }
            return .fill(method, limitSeconds: arguments.count == 2 ? try seconds(arguments[1]) : nil)
        case ("as_count", _), ("as_rate", _), ("weighted", _), ("rollup", _), ("fill", _):
            throw DatadogQueryError("wrong number of arguments to .\(name)()", position: position)
        default:
            throw DatadogQueryError("unknown modifier .\(name)()", position: position)
        }
    }

    // MARK: Lexing

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    mutating func expect(_ character: Unicode.Scalar) throws(DatadogQueryError) {
        skipSpace()
        guard peek == UInt8(ascii: character) else {
            if atEnd { throw DatadogQueryError("expected '\(character)' but the query ended", position: index) }
            throw DatadogQueryError("expected '\(character)'", position: index)
        }
        index += 1
    }

    mutating func enter() throws(DatadogQueryError) {
        depth += 1
        if depth > Self.maxDepth { throw DatadogQueryError("query nested deeper than \(Self.maxDepth) levels", position: index) }
    }

    func unexpected() -> DatadogQueryError {
        guard let b = peek else { return DatadogQueryError("unexpected end of query", position: index) }
        let shown = b < 0x80 ? String(UnicodeScalar(b)) : "byte 0x\(String(b, radix: 16))"
        return DatadogQueryError("unexpected '\(shown)'", position: index)
    }

    /// Reads `letter { letter | digit | _ | . }`.
    mutating func readName() -> String {
        let start = index
        while let b = peek, Self.isLetter(b) || Self.isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") {
            // A `.` followed by a modifier call ends the name only after `}`; names never contain `(`.
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func parseNumber() throws(DatadogQueryError) -> Double {
        let start = index
        while let b = peek, Self.isDigit(b) || b == UInt8(ascii: ".") { index += 1 }
        if let b = peek, b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
            index += 1
            if let s = peek, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { index += 1 }
            while let b = peek, Self.isDigit(b) { index += 1 }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            throw DatadogQueryError("invalid number", position: start)
        }
        return value
    }

    /// Whether the next bytes are `word` not followed by a name byte.
    func lookingAtWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { return false }
        guard index + w.count < bytes.count else { return true }
        let next = bytes[index + w.count]
        return !(Self.isLetter(next) || Self.isDigit(next) || next == UInt8(ascii: "_"))
    }

    static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Bytes a tag key or value may contain (anything but space, separators and brackets).
    static func isTagByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "!"): false
        default: b >= 0x20
        }
    }
}
