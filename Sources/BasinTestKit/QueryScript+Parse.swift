import BasinModel

/// Line-oriented parser of ``QueryScript`` text.
struct QueryScriptParser {
    let lines: [String]
    var index = 0

    func fail(_ message: String, line: Int) -> QueryScriptError { QueryScriptError(line: line, message: message) }

    /// The indented lines following the current one (the block of a `load` or `eval`).
    mutating func block() -> [(line: Int, text: String)] {
        var out: [(Int, String)] = []
        while index < lines.count, let first = lines[index].first, first == " " || first == "\t" {
            let text = lines[index].trimmingSpaces()
            if !text.isEmpty, !text.hasPrefix("#") { out.append((index + 1, text)) }
            index += 1
        }
        return out
    }

    mutating func parse() throws(QueryScriptError) -> [QueryScript.Command] {
        var commands: [QueryScript.Command] = []
        while index < lines.count {
            let lineNumber = index + 1
            let text = lines[index].trimmingSpaces()
            index += 1
            if text.isEmpty || text.hasPrefix("#") { continue }
            var words = Words(text)
            let keyword = words.next() ?? ""
            switch keyword {
            case "load":
                guard let intervalText = words.next(), let interval = QueryScriptParser.duration(intervalText) else {
                    throw fail("load needs an interval such as 1m", line: lineNumber)
                }
                var batch = MetricBatch()
                for (line, body) in block() {
                    let (labels, rest) = try QueryScriptParser.series(body, line: line)
                    let values = try QueryScriptParser.values(rest, line: line)
                    let slot = batch.beginSeries(labels, kind: .gauge)
                    for (i, value) in values.enumerated() {
                        if let value { batch.append(seriesSlot: slot, timestampMillis: Int64(i) * interval, value: value) }
                    }
                }
                commands.append(.load(batch, line: lineNumber))
            case "clear":
                commands.append(.clear(line: lineNumber))
            case "eval", "eval_fail", "eval_ordered":
                commands.append(.eval(try evaluation(keyword, words, line: lineNumber)))
            default:
                throw fail("unknown command \"\(keyword)\"", line: lineNumber)
            }
        }
        return commands
    }

    mutating func evaluation(_ keyword: String, _ header: Words, line: Int) throws(QueryScriptError) -> QueryScript.Evaluation {
        var words = header
        var start: Int64 = 0
        var end: Int64 = 0
        var step: Int64 = 1
        let isInstant: Bool
        switch words.next() {
        case "instant":
            guard words.next() == "at", let t = words.next().flatMap(QueryScriptParser.duration) else {
                throw fail("expected `instant at <time>`", line: line)
            }
            start = t
            end = t
            isInstant = true
        case "range":
            guard words.next() == "from", let s = words.next().flatMap(QueryScriptParser.duration),
                  words.next() == "to", let e = words.next().flatMap(QueryScriptParser.duration),
                  words.next() == "step", let st = words.next().flatMap(QueryScriptParser.duration), st > 0
            else { throw fail("expected `range from <t> to <t> step <d>`", line: line) }
            start = s
            end = e
            step = st
            isInstant = false
        default:
            throw fail("expected `instant` or `range`", line: line)
        }
        let query = words.rest
        guard !query.isEmpty else { throw fail("missing query", line: line) }
        let body = block()
        let expectation: QueryScript.Expectation
        if keyword == "eval_fail" {
            var contains: String?
            var regex: String?
            for (l, text) in body {
                var w = Words(text)
                switch w.next() {
                case "expected_fail_message": contains = w.rest
                case "expected_fail_regexp": regex = w.rest
                default: throw fail("unexpected line in eval_fail block", line: l)
                }
            }
            expectation = .failure(messageContains: contains, messageRegex: regex)
        } else {
            var series: [QueryScript.ExpectedSeries] = []
            var isScalar = false
            for (l, text) in body {
                if let first = text.first, first.isNumber || first == "-" || first == "+" || text.hasPrefix("Inf") || text.hasPrefix("NaN") {
                    let values = try QueryScriptParser.values(text, line: l)
                    series.append(QueryScript.ExpectedSeries(labels: .empty, values: values))
                    isScalar = true
                    continue
                }
                let (labels, rest) = try QueryScriptParser.series(text, line: l)
                series.append(QueryScript.ExpectedSeries(labels: labels, values: try QueryScriptParser.values(rest, line: l)))
            }
            expectation = .success(series: series, isScalar: isScalar)
        }
        return QueryScript.Evaluation(
            line: line, query: query, startMillis: start, endMillis: end, stepMillis: step, isInstant: isInstant,
            ordered: keyword == "eval_ordered", expectation: expectation)
    }

    /// `0`, `90` (seconds), `5m`, `1h30m`, `100ms`, in milliseconds.
    static func duration(_ text: String) -> Int64? {
        if let seconds = Double(text) { return Int64((seconds * 1000).rounded()) }
        var total: Int64 = 0
        var number = ""
        var chars = Array(text)
        var i = 0
        guard !chars.isEmpty else { return nil }
        while i < chars.count {
            let c = chars[i]
            if c.isNumber { number.append(c); i += 1; continue }
            guard let n = Int64(number) else { return nil }
            var unit: Int64
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" { unit = 1; i += 1 } else {
                switch c {
                case "s": unit = 1000
                case "m": unit = 60_000
                case "h": unit = 3_600_000
                case "d": unit = 86_400_000
                case "w": unit = 604_800_000
                case "y": unit = 31_536_000_000
                default: return nil
                }
            }
            total += n * unit
            number = ""
            i += 1
        }
        chars.removeAll()
        return number.isEmpty ? total : nil
    }

    /// Parses `name{a="b", "c.d"="e"}`, `{"dotted.name", a="b"}` or `name`, returning the rest of the line.
    static func series(_ text: String, line: Int) throws(QueryScriptError) -> (Labels, String) {
        let chars = Array(text)
        var i = 0
        var builder = LabelsBuilder()
        var name = ""
        while i < chars.count, chars[i] != "{", chars[i] != " ", chars[i] != "\t" { name.append(chars[i]); i += 1 }
        if !name.isEmpty { builder.add(name: Labels.metricNameKey, value: name) }
        if i < chars.count, chars[i] == "{" {
            i += 1
            while true {
                while i < chars.count, chars[i] == " " || chars[i] == "," { i += 1 }
                guard i < chars.count else { throw QueryScriptError(line: line, message: "unterminated label set") }
                if chars[i] == "}" { i += 1; break }
                let key: String
                if chars[i] == "\"" {
                    key = try quoted(chars, &i, line: line)
                } else {
                    var k = ""
                    while i < chars.count, chars[i] != "=", chars[i] != " " { k.append(chars[i]); i += 1 }
                    key = k
                }
                while i < chars.count, chars[i] == " " { i += 1 }
                if i < chars.count, chars[i] == "=" {
                    i += 1
                    while i < chars.count, chars[i] == " " { i += 1 }
                    builder.add(name: key, value: try quoted(chars, &i, line: line))
                } else {
                    builder.add(name: Labels.metricNameKey, value: key)
                }
            }
        }
        return (builder.build(), String(chars[i...]).trimmingSpaces())
    }

    static func quoted(_ chars: [Character], _ i: inout Int, line: Int) throws(QueryScriptError) -> String {
        guard i < chars.count, chars[i] == "\"" else { throw QueryScriptError(line: line, message: "expected a quoted string") }
        i += 1
        var out = ""
        while i < chars.count, chars[i] != "\"" {
            if chars[i] == "\\", i + 1 < chars.count {
                i += 1
                out.append(chars[i] == "n" ? "\n" : chars[i])
            } else {
                out.append(chars[i])
            }
            i += 1
        }
        guard i < chars.count else { throw QueryScriptError(line: line, message: "unterminated string") }
        i += 1
        return out
    }

    /// Expands a value list: numbers, `_`, `_xn`, `axn`, `a+bxn`, `a-bxn`; `stale` reads as missing.
    static func values(_ text: String, line: Int) throws(QueryScriptError) -> [Double?] {
        var out: [Double?] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            if word == "_" || word == "stale" { out.append(nil); continue }
            if let v = number(word) { out.append(v); continue }
            guard let x = word.lastIndex(of: "x"), let n = Int(word[word.index(after: x)...]), n >= 0 else {
                throw QueryScriptError(line: line, message: "bad value \"\(word)\"")
            }
            let base = String(word[..<x])
            if base == "_" { out.append(contentsOf: Array(repeating: nil, count: n)); continue }
            // Split `a+b` / `a-b` at the operator that is neither leading nor part of an exponent.
            let chars = Array(base)
            var split: Int?
            for j in chars.indices.dropFirst() where (chars[j] == "+" || chars[j] == "-") && chars[j - 1] != "e" && chars[j - 1] != "E" {
                split = j
                break
            }
            let a: Double?, b: Double?
            if let split {
                a = number(String(chars[..<split]))
                let magnitude = number(String(chars[(split + 1)...]))
                b = chars[split] == "-" ? magnitude.map { -$0 } : magnitude
            } else {
                a = number(base)
                b = 0
            }
            guard let a, let b else { throw QueryScriptError(line: line, message: "bad value \"\(word)\"") }
            for k in 0...n { out.append(a + Double(k) * b) }
        }
        return out
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "Inf", "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}

/// Splits a line into words, keeping the remainder available as text.
struct Words {
    var remainder: Substring

    init(_ text: String) { remainder = Substring(text) }

    mutating func next() -> String? {
        remainder = remainder.drop { $0 == " " || $0 == "\t" }
        guard !remainder.isEmpty else { return nil }
        let word = remainder.prefix { $0 != " " && $0 != "\t" }
        remainder = remainder.dropFirst(word.count)
        return String(word)
    }

    var rest: String { String(remainder).trimmingSpaces() }
}

extension String {
    func trimmingSpaces() -> String {
        let trimmedFront = drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        var end = trimmedFront.endIndex
        while end > trimmedFront.startIndex, [" ", "\t", "\r"].contains(trimmedFront[trimmedFront.index(before: end)]) {
            end = trimmedFront.index(before: end)
        }
        return String(trimmedFront[..<end])
    }
}
