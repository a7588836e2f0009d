/// Parses a Dynatrace metric selector (spec §6) into a ``DynatraceSelector``.
///
/// Supported: metric keys (sections of letters, digits, `_ - .` and `*`; prefixes such as
/// `builtin:` or `ext:`; quoted keys and sections with `~` escapes; parent grouping
/// `a.b.(c,d)`), several expressions separated by commas, and the transformations listed in
/// ``DynatraceTransformation``. Every other transformation Dynatrace documents (`merge`,
/// `partition`, `rollup`, `timeshift`, …) is an error naming it. Errors carry the character
/// position. The parser only builds the AST: whether a key exists is for the evaluator.
public struct DynatraceSelectorParser {
    let text: [Character]
    var index = 0

    /// Transformation names that end a metric key when they follow a `:`.
    static let transformationNames: Set<String> = Set([
        "auto", "avg", "sum", "min", "max", "count", "value", "median", "percentile", "filter", "splitBy", "fold", "last",
        "limit", "sort", "names", "rate", "delta", "smooth", "default",
    ]).union(unsupportedTransformations)
    /// Documented transformations Basin does not evaluate.
    static let unsupportedTransformations: Set<String> = [
        "histogram", "lastReal", "merge", "parents", "partition", "rollup", "timeshift", "setUnit", "toUnit", "asGauge",
        "evaluateModel",
    ]

    /// Parses `selector`.
    /// - Throws: ``DynatraceSelectorError`` with the position of the first problem.
    public static func parse(_ selector: String) throws(DynatraceSelectorError) -> DynatraceSelector {
        var parser = DynatraceSelectorParser(text: Array(selector))
        return try parser.parseSelector()
    }

    mutating func parseSelector() throws(DynatraceSelectorError) -> DynatraceSelector {
        var expressions: [DynatraceMetricExpression] = []
        skipSpaces()
        guard index < text.count else { throw DynatraceSelectorError("empty metric selector", at: 0) }
        while true {
            expressions += try parseExpression()
            skipSpaces()
            guard index < text.count else { break }
            guard text[index] == "," else {
                throw DynatraceSelectorError("unexpected '\(text[index])'", at: index)
            }
            index += 1
            skipSpaces()
        }
        return DynatraceSelector(expressions: expressions)
    }

    /// One key (or parent grouping) and its transformations.
    mutating func parseExpression() throws(DynatraceSelectorError) -> [DynatraceMetricExpression] {
        let keys = try parseKeys()
        let start = index
        var transformations: [DynatraceTransformation] = []
        while index < text.count, text[index] == ":" {
            index += 1
            transformations.append(try parseTransformation())
        }
        let written = String(text[start..<index])
        return keys.map { DynatraceMetricExpression(key: $0, transformations: transformations, transformationText: written) }
    }

    // MARK: keys

    static func isKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." || c == "*")
    }

    /// Whether the `:` at `index` starts a transformation rather than continuing the key.
    func colonStartsTransformation() -> Bool {
        var end = index + 1
        while end < text.count, text[end].isASCII, text[end].isLetter { end += 1 }
        let name = String(text[(index + 1)..<end])
        guard Self.transformationNames.contains(name) else { return false }
        return end == text.count || ["(", ":", ",", ")", " "].contains(text[end])
    }

    /// A key, or the keys of a parent grouping `prefix.(a,b)`.
    mutating func parseKeys() throws(DynatraceSelectorError) -> [String] {
        let start = index
        var key = ""
        while index < text.count {
            let c = text[index]
            if Self.isKeyCharacter(c) {
                key.append(c)
                index += 1
            } else if c == "\"" {
                key += try parseQuoted()
            } else if c == ":" {
                if colonStartsTransformation() { break }
                key.append(c)
                index += 1
            } else if c == "(" {
                let open = index
                index += 1
                var suffixes: [String] = []
                while true {
                    skipSpaces()
                    let suffixStart = index
                    let inner = try parseKeys()
                    guard inner.count == 1, !inner[0].isEmpty else {
                        throw DynatraceSelectorError("empty or nested key in parent grouping", at: suffixStart)
                    }
                    suffixes.append(inner[0])
                    skipSpaces()
                    guard index < text.count else { throw DynatraceSelectorError("unclosed parent grouping", at: open) }
                    if text[index] == ")" { index += 1; break }
                    guard text[index] == "," else { throw DynatraceSelectorError("unexpected '\(text[index])' in parent grouping", at: index) }
                    index += 1
                }
                if index < text.count, Self.isKeyCharacter(text[index]) || text[index] == "(" {
                    throw DynatraceSelectorError("a parent grouping must end the metric key", at: index)
                }
                return suffixes.map { key + $0 }
            } else {
                break
            }
        }
        guard !key.isEmpty else {
            if index < text.count { throw DynatraceSelectorError("expected a metric key, found '\(text[index])'", at: index) }
            throw DynatraceSelectorError("expected a metric key", at: start)
        }
        return [key]
    }

    /// A double-quoted string with `~` escaping `"` and `~`; `index` is at the opening quote.
    mutating func parseQuoted() throws(DynatraceSelectorError) -> String {
        let open = index
        index += 1
        var out = ""
        while index < text.count {
            let c = text[index]
            if c == "~" {
                guard index + 1 < text.count, text[index + 1] == "\"" || text[index + 1] == "~" else {
                    throw DynatraceSelectorError("'~' must escape '\"' or '~'", at: index)
                }
                out.append(text[index + 1])
                index += 2
            } else if c == "\"" {
                index += 1
                return out
            } else {
                out.append(c)
                index += 1
            }
        }
        throw DynatraceSelectorError("unterminated quoted string", at: open)
    }

    // MARK: lexical helpers

    mutating func skipSpaces() {
        while index < text.count, text[index] == " " || text[index] == "\t" || text[index] == "\n" { index += 1 }
    }

    mutating func readIdentifier() -> String {
        let start = index
        while index < text.count, text[index].isASCII, text[index].isLetter || text[index].isNumber { index += 1 }
        return String(text[start..<index])
    }

    mutating func expect(_ c: Character, _ what: String) throws(DynatraceSelectorError) {
        skipSpaces()
        guard index < text.count, text[index] == c else {
            throw DynatraceSelectorError("expected '\(c)' \(what)", at: index)
        }
        index += 1
    }

    /// Whether the next non-blank character is `c` (consumed when it is).
    mutating func consume(_ c: Character) -> Bool {
        skipSpaces()
        guard index < text.count, text[index] == c else { return false }
        index += 1
        return true
    }

    /// A quoted string, or an unquoted run up to `,` or `)` (Dynatrace accepts
    /// `eq("dt.entity.host",HOST-123)`).
    mutating func parseStringArgument() throws(DynatraceSelectorError) -> String {
        skipSpaces()
        guard index < text.count else { throw DynatraceSelectorError("expected a string", at: index) }
        if text[index] == "\"" { return try parseQuoted() }
        let start = index
        while index < text.count, text[index] != ",", text[index] != ")", text[index] != "(" { index += 1 }
        let value = String(text[start..<index]).trimmingSpaces()
        guard !value.isEmpty else { throw DynatraceSelectorError("expected a string", at: start) }
        return value
    }

    /// A decimal number (optional sign, fraction, exponent).
    mutating func parseNumber() throws(DynatraceSelectorError) -> Double {
        skipSpaces()
        let start = index
        while index < text.count, text[index].isNumber || "+-.eE".contains(text[index]) { index += 1 }
        guard let value = Double(String(text[start..<index])), value.isFinite else {
            throw DynatraceSelectorError("expected a number", at: start)
        }
        return value
    }
}
