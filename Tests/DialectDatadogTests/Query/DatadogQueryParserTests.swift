import Testing

@testable import DialectDatadog

@Suite("DatadogQuery parser")
struct DatadogQueryParserTests {
    /// Query text ⇒ the canonical rendering of what was parsed (one line per query index).
    static let accepted: [(String, String)] = [
        // §7 query vectors 24–30 and 15.
        ("system.cpu.idle{*}", "system.cpu.idle{*}"),
        ("system.cpu.idle{*}by{host}", "system.cpu.idle{*} by {host}"),
        ("sum:nginx.net.request_per_s{cluster:x,ns:y}by{host}", "sum:nginx.net.request_per_s{cluster:x,ns:y} by {host}"),
        ("avg:m{*}.rollup(sum,3600)", "avg:m{*}.rollup(sum,3600)"),
        ("avg:m{*}.rollup(avg,20)", "avg:m{*}.rollup(avg,20)"),
        ("sum:m{*}.as_rate()", "sum:m{*}.as_rate()"),
        ("sum:m{*}.as_count()", "sum:m{*}.as_count()"),
        ("default_zero(avg:custom_metric{*})", "default_zero(avg:custom_metric{*})"),
        ("sum:net.bytes_rcvd{*}", "sum:net.bytes_rcvd{*}"),
        ("count:system.load.1.dist{*}", "count:system.load.1.dist{*}"),
        ("avg:a{*},avg:b{*}", "avg:a{*}\navg:b{*}"),
        // Scope forms.
        ("m{host:a, !env:dev, role:web-*}", "m{host:a,!env:dev,role:web-*}"),
        ("m{}", "m{*}"),
        ("m{ * }", "m{*}"),
        ("m{prod}", "m{prod}"),
        ("m{url:http://x}", "m{url:http://x}"),
        ("m{env:prod AND (role:a OR role:b)}", "m{env:prod AND (role:a OR role:b)}"),
        ("m{env IN (a,b) and NOT host:x}", "m{env IN (a,b) and NOT host:x}"),
        ("m{env NOT IN (a,b)}", "m{env NOT IN (a,b)}"),
        // Group, modifiers, functions, arithmetic.
        ("max:m{*} by {host,env}.rollup(max).fill(zero, 60)", "max:m{*} by {host,env}.rollup(max).fill(zero,60)"),
        ("m{*}.rollup(60)", "m{*}.rollup(60)"),
        ("m{*}.fill(null).weighted()", "m{*}.fill(null).weighted()"),
        ("a{*} / b{*} * 100", "a{*} / b{*} * 100"),
        ("100 - avg:system.cpu.idle{*}", "100 - avg:system.cpu.idle{*}"),
        ("(a{*} + b{*}) / 2", "(a{*} + b{*}) / 2"),
        ("-a{*}", "-a{*}"),
        ("top(avg:m{*} by {host}, 10, 'mean', 'desc')", "top(avg:m{*} by {host}, 10, mean, desc)"),
        ("timeshift(m{*}, -3600)", "timeshift(m{*}, -3600)"),
        ("abs(log10(cumsum(m{*})))", "abs(log10(cumsum(m{*})))"),
        ("top5_max(m{*} by {host})", "top5_max(m{*} by {host})"),
        ("  m{*}  ", "m{*}"),
        ("1.5e3", "1500"),
    ]

    @Test("parses the grammar", arguments: accepted)
    func parses(_ query: String, _ expected: String) throws {
        let parsed = try DatadogQueryParser.parse(query)
        #expect(parsed.map(Self.render).joined(separator: "\n") == expected)
    }

    @Test("keeps a metric query's parts")
    func parts() throws {
        let parsed = try DatadogQueryParser.parse("sum:nginx.net.request_per_s{cluster:x,!ns:y}by{host}.as_count()")
        guard case .metric(let q) = parsed.first else { Issue.record("not a metric query"); return }
        #expect(q.spaceAggregator == "sum")
        #expect(q.metricName == "nginx.net.request_per_s")
        #expect(q.scope == .filter(.and([.tag(key: "cluster", pattern: "x"), .not(.tag(key: "ns", pattern: "y"))]), items: ["cluster:x", "!ns:y"]))
        #expect(q.groupBy == ["host"])
        #expect(q.modifiers == [.asCount])
    }

    /// Query text ⇒ the error message (with its position).
    static let rejected: [(String, String)] = [
        ("", "Error parsing query: empty query at position 0"),
        ("m", "Error parsing query: expected '{' after metric name 'm' at position 1"),
        ("m{*", "Error parsing query: unexpected end of query at position 3"),
        ("m{a:b,c:d OR e:f}", "Error parsing query: 'AND' and 'OR' cannot be mixed with ',' at position 2"),
        ("m{*}.rollup(median)", "Error parsing query: unknown rollup method; use avg, sum, min, max or count at position 5"),
        ("m{*}.fill(sometimes)", "Error parsing query: unknown fill method; use null, zero, linear or last at position 5"),
        ("m{*}.nope()", "Error parsing query: unknown modifier .nope() at position 5"),
        ("m{*}.as_count(1)", "Error parsing query: wrong number of arguments to .as_count() at position 5"),
        ("m{*}.rollup(sum, 0)", "Error parsing query: rollup expects a whole number of seconds between 1 and 31536000 at position 5"),
        ("m{*} +", "Error parsing query: unexpected end of query at position 6"),
        ("m{*} m{*}", "Error parsing query: unexpected 'm' at position 5"),
        ("sum:{*}", "Error parsing query: expected a metric name after 'sum:' at position 4"),
        ("abs(m{*}", "Error parsing query: expected ',' but the query ended at position 8"),
        ("m{:x}", "Error parsing query: tag filter without a key at position 2"),
        ("top(m{*}, 'x", "Error parsing query: unterminated string at position 10"),
        ("#", "Error parsing query: unexpected '#' at position 0"),
    ]

    @Test("rejects malformed queries naming the position", arguments: rejected)
    func rejects(_ query: String, _ message: String) {
        #expect(throws: DatadogQueryError.self) { try DatadogQueryParser.parse(query) }
        do {
            _ = try DatadogQueryParser.parse(query)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("bounds nesting instead of exhausting the stack")
    func deepNesting() {
        let query = String(repeating: "(", count: 10_000) + "m{*}" + String(repeating: ")", count: 10_000)
        #expect(throws: DatadogQueryError.self) { try DatadogQueryParser.parse(query) }
    }

    /// The §4.3 / vector 26 table: range ⇒ default interval.
    static let intervals: [(Int64, Int64)] = [
        (3600, 20), (14_400, 60), (86_400, 300), (172_800, 600), (604_800, 3600), (2_592_000, 14_400), (60, 1), (0, 1),
    ]

    @Test("picks Datadog's default interval per range", arguments: intervals)
    func defaultInterval(_ range: Int64, _ interval: Int64) {
        #expect(DatadogInterval.defaultSeconds(rangeSeconds: range) == interval)
    }

    @Test("a rollup interval is raised to keep at most 1500 points")
    func rollupInterval() {
        #expect(DatadogInterval.rollupSeconds(3600, rangeSeconds: 86_400) == 3600)
        #expect(DatadogInterval.rollupSeconds(20, rangeSeconds: 2_592_000) == 1800)
    }

    static func render(_ e: DatadogQueryExpr) -> String {
        switch e {
        case .number(let v): return DatadogQueryEvaluator.render(.number(v))
        case .metric(let q):
            var text = q.spaceAggregator.map { "\($0):" } ?? ""
            switch q.scope {
            case .all: text += q.metricName + "{*}"
            case .filter(_, let items): text += q.metricName + "{" + items.joined(separator: ",") + "}"
            }
            if !q.groupBy.isEmpty { text += " by {" + q.groupBy.joined(separator: ",") + "}" }
            let full = q.expression(scopeItems: [])
            if let dot = full.firstIndex(of: "}") { text += full[full.index(after: dot)...] }
            return text
        case .binary(let op, let l, let r): return "\(render(l)) \(op.rawValue) \(render(r))"
        case .negate(let i): return "-" + render(i)
        case .parenthesized(let i): return "(" + render(i) + ")"
        case .function(let c): return c.render(render(c.input))
        }
    }
}

@Suite("DatadogQuery parser properties")
struct DatadogQueryParserPropertyTests {
    @Test("never traps on random input", arguments: [UInt64(1), 2, 3, 42, 0xDD])
    func randomInput(seed: UInt64) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        let alphabet = Array("abcm.:{}()*,!-+/ 0123456789'\"byAND OR NOT IN _rollup fill as_count sum: avg: top".utf8)
        for _ in 0..<3000 {
            let length = Int(next() % 40)
            let bytes = (0..<length).map { _ in
                next() % 10 == 0 ? UInt8(truncatingIfNeeded: next()) : alphabet[Int(next() % UInt64(alphabet.count))]
            }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? DatadogQueryParser.parse(text)
        }
        print("DatadogQuery parser property seed \(seed)")
    }
}
