import DialectPrometheus
import QueryEngine
import Testing

/// Renders an expression fully parenthesised, to check structure and precedence.
func render(_ e: PromQLExpr) -> String {
    switch e.kind {
    case .number(let v): return v.isNaN ? "NaN" : "\(v)"
    case .string(let s): return "\"\(s)\""
    case .vectorSelector(let s): return renderSelector(s)
    case .matrixSelector(let s, let range): return "\(renderSelector(s))[\(range)ms]"
    case .subquery(let inner, let range, let step): return "\(render(inner))[\(range):\(step.map(String.init) ?? "")]"
    case .call(let name, let args): return "\(name)(\(args.map(render).joined(separator: ", ")))"
    case .aggregate(let op, let grouping, let parameter, let input):
        let g = grouping.map { " \($0.without ? "without" : "by")(\($0.labels.joined(separator: ",")))" } ?? ""
        return "\(op)\(g)(\(parameter.map { render($0) + ", " } ?? "")\(render(input)))"
    case .binary(let op, let lhs, let rhs, let m):
        var mods = m.returnBool ? " bool" : ""
        if let matching = m.matching { mods += " \(matching.on ? "on" : "ignoring")(\(matching.labels.joined(separator: ",")))" }
        if let group = m.group { mods += " \(group)" }
        return "(\(render(lhs)) \(op)\(mods) \(render(rhs)))"
    case .unaryMinus(let inner): return "-(\(render(inner)))"
    case .parenthesized(let inner): return render(inner)
    }
}

func renderSelector(_ s: PromQLSelector) -> String {
    var out = s.metricName.map { "\"\($0)\"" } ?? ""
    out += "{" + s.matchers.map { "\($0.name)\($0.op)\"\($0.value)\"" }.joined(separator: ",") + "}"
    if s.offsetMillis != 0 { out += " offset \(s.offsetMillis)ms" }
    switch s.at {
    case .seconds(let t)?: out += " @ \(t)"
    case .start?: out += " @ start()"
    case .end?: out += " @ end()"
    case nil: break
    }
    return out
}

@Suite("PromQL parser")
struct PromQLParserTests {
    static let valid: [(String, String)] = [
        ("foo", "\"foo\"{}"),
        ("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~'h'}", "\"foo\"{a=\"b\",c!=\"d\",e=~\"f.*\",g!~\"h\"}"),
        ("{\"system.cpu.user\", host=\"a\"}", "\"system.cpu.user\"{host=\"a\"}"),
        ("{\"my.label\"=\"x\", __name__=\"m\"}", "{my.label=\"x\",__name__=\"m\"}"),
        ("foo{a=\"b\",}", "\"foo\"{a=\"b\"}"),
        ("foo:bar_total", "\"foo:bar_total\"{}"),
        ("foo[5m]", "\"foo\"{}[300000ms]"),
        ("foo[1h30m]", "\"foo\"{}[5400000ms]"),
        ("foo[90]", "\"foo\"{}[90000ms]"),
        ("foo offset 5m", "\"foo\"{} offset 300000ms"),
        ("foo offset -1m", "\"foo\"{} offset -60000ms"),
        ("foo[5m] offset 1h", "\"foo\"{} offset 3600000ms[300000ms]"),
        ("foo @ 1700000000", "\"foo\"{} @ 1700000000.0"),
        ("foo @ end()", "\"foo\"{} @ end()"),
        ("foo @ start() offset 1m", "\"foo\"{} offset 60000ms @ start()"),
        ("1 + 2 * 3", "(1.0 + (2.0 * 3.0))"),
        ("1 * 2 + 3", "((1.0 * 2.0) + 3.0)"),
        ("2 ^ 3 ^ 2", "(2.0 ^ (3.0 ^ 2.0))"),
        ("-2 ^ 2", "-((2.0 ^ 2.0))"),
        ("-a * b", "(-(\"a\"{}) * \"b\"{})"),
        ("2 ^ -1", "(2.0 ^ -1.0)"),
        ("a - b - c", "((\"a\"{} - \"b\"{}) - \"c\"{})"),
        ("a or b and c", "(\"a\"{} or (\"b\"{} and \"c\"{}))"),
        ("a or b unless c", "(\"a\"{} or (\"b\"{} unless \"c\"{}))"),
        ("a > b + 1", "(\"a\"{} > (\"b\"{} + 1.0))"),
        ("a == bool 1", "(\"a\"{} == bool 1.0)"),
        ("a / on(x, \"y.z\") b", "(\"a\"{} / on(x,y.z) \"b\"{})"),
        ("a + ignoring(x) b", "(\"a\"{} + ignoring(x) \"b\"{})"),
        ("a * on(x) group_left(y) b", "(\"a\"{} * on(x) group_left \"b\"{})"),
        ("sum(a)", "sum(\"a\"{})"),
        ("sum by (x, y) (a)", "sum by(x,y)(\"a\"{})"),
        ("sum(a) without (x)", "sum without(x)(\"a\"{})"),
        ("SUM BY (x) (a)", "sum by(x)(\"a\"{})"),
        ("topk(3, a)", "topk(3.0, \"a\"{})"),
        ("quantile by (job) (0.9, a)", "quantile by(job)(0.9, \"a\"{})"),
        ("rate(a[5m])", "rate(\"a\"{}[300000ms])"),
        ("round(a, 0.5)", "round(\"a\"{}, 0.5)"),
        ("time()", "time()"),
        ("0x1F", "31.0"),
        ("1e3", "1000.0"),
        (".5", "0.5"),
        ("Inf", "inf"),
        ("-inf", "-inf"),
        ("NaN", "NaN"),
        ("5m", "300.0"),
        ("\"a\\tb\\u00e9\"", "\"a\tbé\""),
        ("`raw\\n`", "\"raw\\n\""),
        ("a # comment\n + b", "(\"a\"{} + \"b\"{})"),
        ("a[5m:1m]", "\"a\"{}[300000:60000]"),
    ]

    @Test("Valid queries parse to the expected structure", arguments: valid)
    func parses(query: String, expected: String) throws {
        #expect(render(try PromQLParser.parse(query)) == expected)
    }

    static let invalid: [(String, String)] = [
        ("", "1:1: parse error: no expression found in input"),
        ("foo{", "1:5: parse error: unexpected end of input in label matching"),
        ("foo{a=}", "1:7: parse error: unexpected \"}\" in label matching, expected string"),
        ("foo{a~\"b\"}", "1:6: parse error: unexpected character"),
        ("foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\""),
        ("1 +", "1:4: parse error: unexpected end of input"),
        ("(1 + 2", "1:7: parse error: unexpected end of input in parenthesized expression"),
        ("sum(a", "1:6: parse error: unexpected end of input in aggregation"),
        ("a[5m", "1:5: parse error: unexpected end of input in range"),
        ("a[]", "1:3: parse error: unexpected \"]\" in range, expected duration"),
        ("(a)[5m]", "1:4: parse error: ranges only allowed for vector selectors"),
        ("a offset 1m offset 2m", "1:13: parse error: offset may not be set multiple times"),
        ("1 offset 1m", "1:3: parse error: offset and @ modifiers must be preceded"),
        ("a + bool b", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("sum by (a) (b) by (c)", "1:1: parse error: aggregation must only contain one grouping clause"),
        ("topk(a)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        ("\"abc", "1:1: parse error: unterminated quoted string"),
        ("5mm", "1:1: parse error: bad duration syntax"),
        ("1x", "1:1: parse error: bad number or duration syntax"),
        ("a\n  + $", "2:5: parse error: unexpected character: '$'"),
        ("a b", "1:3: parse error: unexpected identifier \"b\""),
        ("a !b", "1:3: parse error: unexpected character after '!'"),
        ("{\"a\", \"b\"}", "1:7: parse error: metric name must not be set twice"),
        ("by", "1:1: parse error: unexpected keyword \"by\""),
    ]

    @Test("Invalid queries fail with a positioned parse error", arguments: invalid)
    func fails(query: String, expectedPrefix: String) {
        #expect {
            _ = try PromQLParser.parse(query)
        } throws: { error in
            guard let error = error as? PromQLError else { return false }
            return error.message.hasPrefix(expectedPrefix)
        }
    }

    static let lowered: [(String, ValueType)] = [
        ("a", .vector), ("a[1m]", .matrix), ("1", .scalar), ("\"s\"", .string), ("1 + a", .vector),
        ("1 + 1", .scalar), ("scalar(a)", .scalar), ("vector(1)", .vector), ("-a", .vector), ("time()", .scalar),
        ("sum(rate(a[1m]))", .vector), ("a and b", .vector), ("1 < bool 2", .scalar),
    ]

    @Test("Lowering assigns Prometheus' result types", arguments: lowered)
    func lowersType(query: String, type: ValueType) throws {
        #expect(try PromQLLowering.compile(query).valueType == type)
    }

    static let loweringFailures: [(String, String)] = [
        ("rate(a)", "expected type range vector in call to function \"rate\", got instant vector"),
        ("sum(a[1m])", "expected type instant vector in aggregation expression, got range vector"),
        ("histogram_quantile(0.9, a)", "unsupported function \"histogram_quantile\""),
        ("nope(a)", "unknown function with name \"nope\""),
        ("count_values(\"v\", a)", "unsupported aggregation \"count_values\""),
        ("{a=~\"x|\"}", "vector selector must contain at least one non-empty matcher"),
        ("a{b=~\"(\"}", "invalid regular expression"),
        ("a[0s]", "range must be positive"),
        ("a[1m:10s]", "subqueries are not supported"),
        ("1 == 1", "comparisons between scalars must use BOOL modifier"),
    ]

    @Test("Ill-typed or unsupported queries fail when lowered", arguments: loweringFailures)
    func loweringFails(query: String, reason: String) {
        #expect {
            _ = try PromQLLowering.compile(query)
        } throws: { error in
            (error as? PromQLError)?.reason.contains(reason) == true
        }
    }

    @Test("A selector lowers to matchers with the metric name, offset and anchor")
    func selectorLowering() throws {
        let plan = try PromQLLowering.compile("{\"system.cpu.user\", host=~\"a|b\"} offset 1m @ 100")
        guard case .instantSelect(let selector) = plan else {
            Issue.record("not a selector: \(plan)")
            return
        }
        #expect(selector.matchers.map(\.description) == ["__name__=\"system.cpu.user\"", "host=~\"a|b\""])
        #expect(selector.offsetMillis == 60_000)
        #expect(selector.anchor == .millis(100_000))
    }
}
