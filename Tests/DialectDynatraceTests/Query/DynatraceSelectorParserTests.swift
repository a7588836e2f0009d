import Testing

@testable import DialectDynatrace

/// The metric selector parser: the spec's examples and Basin's supported subset parse to the
/// expected AST; everything else is an error with its position.
@Suite("Dynatrace metric selector parser")
struct DynatraceSelectorParserTests {
    struct Success: CustomTestStringConvertible, Sendable {
        let selector: String
        let keys: [String]
        let transformations: [DynatraceTransformation]
        var testDescription: String { selector }
    }

    static let successes: [Success] = [
        .init(selector: "builtin:host.cpu.usage", keys: ["builtin:host.cpu.usage"], transformations: []),
        // 7.4 #52: parent grouping.
        .init(selector: "builtin:host.cpu.(usage,idle)", keys: ["builtin:host.cpu.usage", "builtin:host.cpu.idle"], transformations: []),
        // 7.4 #53.
        .init(selector: "builtin:host.cpu.(usage,idle):fold", keys: ["builtin:host.cpu.usage", "builtin:host.cpu.idle"], transformations: [.fold(nil)]),
        // 7.4 #54: an unquoted filter value.
        .init(selector: #"builtin:host.cpu.idle:filter(eq("dt.entityhost",HOST-123))"#, keys: ["builtin:host.cpu.idle"],
              transformations: [.filter(.eq("dt.entityhost", "HOST-123"))]),
        // 7.4 #55.
        .init(selector: "k:splitBy():auto:default(0)", keys: ["k"], transformations: [.splitBy([]), .aggregation(.auto), .defaultValue(0, always: false)]),
        .init(selector: "k:splitBy():default(0,always)", keys: ["k"], transformations: [.splitBy([]), .defaultValue(0, always: true)]),
        // 7.4 #56, #57, #58.
        .init(selector: "k:value:delta", keys: ["k"], transformations: [.aggregation(.value), .delta]),
        .init(selector: "k:smooth(skipfirst)", keys: ["k"], transformations: [.smoothSkipFirst]),
        .init(selector: "k:sort(value(sum,descending)):limit(2)", keys: ["k"], transformations: [.sort([.value(.sum, descending: true)]), .limit(2)]),
        // §6.1 / §6.2 DOC examples.
        .init(selector: #"builtin:kubernetes.pods:filter(eq("k8s.cluster.name","preproduction")):splitBy("dt.entity.cloud_application"):max"#,
              keys: ["builtin:kubernetes.pods"],
              transformations: [.filter(.eq("k8s.cluster.name", "preproduction")), .splitBy(["dt.entity.cloud_application"]), .aggregation(.max)]),
        .init(selector: #"k:filter(or(eq("k8s.cluster.name","Server ~"North~""),eq("k8s.cluster.name","Server ~"West~"")))"#, keys: ["k"],
              transformations: [.filter(.or([.eq("k8s.cluster.name", #"Server "North""#), .eq("k8s.cluster.name", #"Server "West""#)]))]),
        .init(selector: "builtin:host.cpu.usage:fold(max)", keys: ["builtin:host.cpu.usage"], transformations: [.fold(.max)]),
        .init(selector: "builtin:host.cpu.user:sort(value(max,descending)):limit(10)", keys: ["builtin:host.cpu.user"],
              transformations: [.sort([.value(.max, descending: true)]), .limit(10)]),
        .init(selector: #""ext:selfmonitoring.jmx.Agents: Type ~"APACHE~"""#, keys: [#"ext:selfmonitoring.jmx.Agents: Type "APACHE""#], transformations: []),
        .init(selector: #"custom."5xx_errors":sum"#, keys: ["custom.5xx_errors"], transformations: [.aggregation(.sum)]),
        // Several selectors, every supported transformation.
        .init(selector: "a.b:avg, c.d:percentile(99.5)", keys: ["a.b", "c.d"], transformations: [.aggregation(.avg)]),
        .init(selector: "system.load.1:min:max:count:sum:value:median", keys: ["system.load.1"],
              transformations: [.aggregation(.min), .aggregation(.max), .aggregation(.count), .aggregation(.sum), .aggregation(.value), .aggregation(.median)]),
        .init(selector: #"k:filter(and(ne("a","1"),in("b","x","y"),prefix(c,p),suffix("c","s"),contains("c","n"),existsKey("d"),not(eq("e","f"))))"#, keys: ["k"],
              transformations: [.filter(.and([.ne("a", "1"), .in("b", ["x", "y"]), .prefix("c", "p"), .suffix("c", "s"), .contains("c", "n"), .existsKey("d"), .not(.eq("e", "f"))]))]),
        .init(selector: #"k:filter(eq("a","1"),eq("b","2"))"#, keys: ["k"], transformations: [.filter(.and([.eq("a", "1"), .eq("b", "2")]))]),
        .init(selector: #"k:splitBy("host","region"):last:names"#, keys: ["k"], transformations: [.splitBy(["host", "region"]), .last(nil), .names]),
        .init(selector: "k:last(sum):rate(5m)", keys: ["k"], transformations: [.last(.sum), .rate(300_000)]),
        .init(selector: "k:rate", keys: ["k"], transformations: [.rate(60_000)]),
        .init(selector: "k:rate(1s)", keys: ["k"], transformations: [.rate(1_000)]),
        .init(selector: #"k:sort(dimension("host",ascending),value(avg,ascending))"#, keys: ["k"],
              transformations: [.sort([.dimension("host", descending: false), .value(.avg, descending: false)])]),
        // Wildcards are syntax (GET /api/v2/metrics lists with them), as are key prefixes.
        .init(selector: "builtin:host.*", keys: ["builtin:host.*"], transformations: []),
        .init(selector: "ext:host.avg.x:avg", keys: ["ext:host.avg.x"], transformations: [.aggregation(.avg)]),
        .init(selector: "latency:max", keys: ["latency"], transformations: [.aggregation(.max)]),
    ]

    @Test("selectors parse to the expected keys and transformations", arguments: successes)
    func parses(_ c: Success) throws {
        let selector = try DynatraceSelectorParser.parse(c.selector)
        #expect(selector.expressions.map(\.key) == c.keys)
        #expect(selector.expressions.first?.transformations == c.transformations)
    }

    @Test("metricId is the key followed by the transformations as written")
    func metricId() throws {
        let selector = try DynatraceSelectorParser.parse("builtin:host.cpu.(usage,idle):fold(avg)")
        #expect(selector.expressions.map(\.metricId) == ["builtin:host.cpu.usage:fold(avg)", "builtin:host.cpu.idle:fold(avg)"])
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        let selector: String
        let message: String
        var testDescription: String { selector }
    }

    static let failures: [Failure] = [
        .init(selector: "", message: "empty metric selector at position 0"),
        .init(selector: "k:merge(\"a\")", message: "transformation :merge is not supported at position 2"),
        .init(selector: "k:rollup(avg,5m)", message: "transformation :rollup is not supported at position 2"),
        .init(selector: "k:timeshift(-1d)", message: "transformation :timeshift is not supported at position 2"),
        .init(selector: "k:partition(\"x\",value(\"a\",lt(1)))", message: "transformation :partition is not supported at position 2"),
        .init(selector: "k:avg:bogus", message: "unknown transformation :bogus at position 6"),
        .init(selector: "k:filter(eq(\"a\"))", message: "expected ',' after the dimension key at position 15"),
        .init(selector: "k:filter(series(avg,gt(1)))", message: "filter condition series is not supported at position 9"),
        .init(selector: "k:filter(in(\"dt.entity.host\",entitySelector(\"type(HOST)\")))", message: "in(…, entitySelector(…)) is not supported (no entities in Basin) at position 29"),
        .init(selector: "k:filter(like(\"a\",\"b\"))", message: "unknown filter condition like at position 9"),
        .init(selector: "k:percentile(101)", message: "percentile needs a number from 0 to 100 at position 13"),
        .init(selector: "k:limit(0)", message: ":limit needs a whole number from 1 to 100000 at position 8"),
        .init(selector: "k:limit(2", message: "expected ')' to close :limit at position 9"),
        .init(selector: "k:sort(value(avg,up))", message: "expected ascending or descending at position 17"),
        .init(selector: "k:sort(dimension(\"a\",ascending,natural))", message: "only lexical dimension sorting is supported at position 31"),
        .init(selector: "k:rate(5x)", message: ":rate needs a duration such as 1m (units s m h d w M y) at position 7"),
        // Found by FuzzDynatraceLines: a count of units past Int64 milliseconds used to trap.
        .init(selector: "k:rate(2222222222222222222222222222m)", message: ":rate needs a duration from 1 ms to 100 years at position 7"),
        .init(selector: "k:rate(0.0001s)", message: ":rate needs a duration from 1 ms to 100 years at position 7"),
        .init(selector: "k:smooth(first)", message: ":smooth supports only skipfirst at position 9"),
        .init(selector: "k:fold(nope)", message: "unknown aggregation nope at position 7"),
        .init(selector: "\"unterminated", message: "unterminated quoted string at position 0"),
        .init(selector: "a,,b", message: "expected a metric key, found ',' at position 2"),
        .init(selector: "a b", message: "unexpected 'b' at position 2"),
        .init(selector: "a.(b,c).d", message: "a parent grouping must end the metric key at position 7"),
        .init(selector: "a.(b", message: "unclosed parent grouping at position 2"),
        .init(selector: "k:filter(eq(\"a\",\"b~x\"))", message: "'~' must escape '\"' or '~' at position 18"),
    ]

    @Test("unsupported or malformed selectors fail naming the construct and the position", arguments: failures)
    func fails(_ c: Failure) {
        #expect(throws: DynatraceSelectorError.self) { try DynatraceSelectorParser.parse(c.selector) }
        do {
            _ = try DynatraceSelectorParser.parse(c.selector)
        } catch {
            #expect(error.message == c.message)
        }
    }
}
