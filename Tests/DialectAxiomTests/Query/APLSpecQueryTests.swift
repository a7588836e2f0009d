import BasinModel
import Testing
@testable import DialectAxiom

/// Every APL query in `specs/axiom.md` (§7, §9, §11) lowers, or is rejected as the spec implies
/// (the long-tail operators of §9.2 and statements of §9.1 are outside the subset).
@Suite struct APLSpecQueryTests {
    static let lowering: [(String, String)] = [
        // §7.2, §11 A13
        ("['test'] | where response == 304", "where (response == 304)"),
        // §11 A8, A14
        ("['ds']", ""),
        // §11 A15
        ("['ds'] | summarize topk(remote_ip, 1)", "summarize topk_remote_ip=topk(remote_ip, 1)"),
        // §11 A16, A17
        ("['ds'] | sort by _time", "sort _time desc"),
        ("['ds'] | sort by _time desc", "sort _time desc"),
        ("['ds'] | sort by _time asc", "sort _time asc"),
        // §11 A18
        ("['ds'] | summarize count() by bin(_time, 1y), ['request.method']",
         "summarize count_=count() by _time=bin(_time, 31536000000000000), request.method=['request.method']"),
        // §11 A20
        ("['ds'] | where true", "where true"),
        // §11 A22
        ("['sample-http-logs'] | where status_int != 200", "where (status_int != 200)"),
        // §11 A24's virtual field, as APL
        ("['ds'] | extend success = toint(response) < 400 | summarize event_count = count() by success, remote_ip",
         "extend success=(toint(response) < 400) | summarize event_count=count() by success=success, remote_ip=remote_ip"),
        // §9.1
        ("logs | take 1", "limit 1"),
        ("['my-dataset'] | where ['geo.city'] == 'Paris' or geo.city == 'Paris'",
         "where ((['geo.city'] == \"Paris\") or (geo.city == \"Paris\"))"),
        // §9.2
        ("logs | where status >= 500 | where method == 'GET'", "where (status >= 500) | where (method == \"GET\")"),
        ("logs | project a, b, c=d * 2", "project a=a, b=b, c=(d * 2)"),
        ("logs | project-away a, b*", "project-away a, b*"),
        ("logs | extend c = a + 1, d = tostring(b)", "extend c=(a + 1), d=tostring(b)"),
        ("logs | summarize n = count(), avg(d) by host", "summarize n=count(), avg_d=avg(d) by host=host"),
        ("logs | summarize count() by bin(_time, 1m)", "summarize count_=count() by _time=bin(_time, 60000000000)"),
        ("logs | summarize count() by bin_auto(_time)", "summarize count_=count() by _time=bin(_time, 5000000000)"),
        ("logs | sort by a asc, b", "sort a asc, b desc"),
        ("logs | order by a", "sort a desc"),
        ("logs | take 10", "limit 10"),
        ("logs | top 10 by d", "sort d desc | limit 10"),
        ("logs | top 10 by d asc", "sort d asc | limit 10"),
        ("logs | count", "summarize count=count()"),
        ("logs | distinct a, b", "distinct a=a, b=b"),
        ("logs | search \"text\"", "where search(\"text\")"),
        ("logs | search kind=case_sensitive \"text\"", "where search_cs(\"text\")"),
        // §9.3
        ("logs | summarize avg(req_duration_ms), percentile(req_duration_ms, 95)",
         "summarize avg_req_duration_ms=avg(req_duration_ms), percentile_req_duration_ms=percentile(req_duration_ms, 95.0)"),
        ("logs | summarize count(), countif(s > 1), sum(x), sumif(x, ok), min(x), max(x), dcount(x), make_set(x), make_list(x)",
         "summarize count_=count(), countif_=countif((s > 1)), sum_x=sum(x), sumif_x=sumif(x, ok), min_x=min(x), max_x=max(x), dcount_x=dcount(x), make_set_x=make_set(x), make_list_x=make_list(x)"),
        ("logs | summarize percentiles(x, 50, 90)", "summarize percentile_x_50=percentile(x, 50.0), percentile_x_90=percentile(x, 90.0)"),
        // §9.4
        ("logs | where a == 'x' and b != 'y' and c <> 'z'", "(((a == \"x\") and (b != \"y\")) and (c != \"z\"))"),
        ("logs | where a =~ 'x' or a !~ 'y'", "(equals(a, \"x\") or !equals(a, \"y\"))"),
        ("logs | where a has 'x' and a !has 'y' and a has_cs 'z'", "((has(a, \"x\") and !has(a, \"y\")) and has_cs(a, \"z\"))"),
        ("logs | where a has_any ('x', 'y')", "(has(a, \"x\") or has(a, \"y\"))"),
        ("logs | where a in ('a', 'b') and b !in ('c') and c in~ ('d') and d !in~ ('e')",
         "(((in(a, [\"a\", \"b\"]) and !in(b, [\"c\"])) and in~(c, [\"d\"])) and !in~(d, [\"e\"]))"),
        ("logs | where a matches regex 're' and b !matches regex 're'", "(regex(a, \"re\") and !regex(b, \"re\"))"),
        ("logs | where _time - 1h > datetime(2024-01-01)", "((_time - 3600000000000) > ts(1704067200000000000))"),
        // §9.5
        ("logs | where _time > ago(1d) and _time < now()",
         "((_time > ts(1699913600000000000)) and (_time < ts(1700000000000000000)))"),
        ("logs | extend s = iff(a > 1, 'big', 'small'), t = case(a > 9, 'x', a > 1, 'y', 'z')",
         "extend s=iff((a > 1), \"big\", \"small\"), t=case((a > 9), \"x\", (a > 1), \"y\", \"z\")"),
        ("logs | extend n = strlen(tolower(tostring(toint(toreal(a)))))", "extend n=strlen(tolower(tostring(toint(toreal(a)))))"),
        ("logs | where isnotnull(a) and isempty(b) and isnotempty(c)", "((isnotnull(a) and isempty(b)) and isnotempty(c))"),
    ]

    static let rejected: [(String, String)] = [
        ("logs | parse f with \"prefix\" a:string \" \" b:int", "unsupported operator: `parse`"),
        ("logs | parse-kv f as (a:string)", "unsupported operator: `parse-kv`"),
        ("logs | parse-where f with a", "unsupported operator: `parse-where`"),
        ("logs | mv-expand tags", "unsupported operator: `mv-expand`"),
        ("logs | make-series count() on _time step 1h", "unsupported operator: `make-series`"),
        ("logs | join kind=inner (other) on id", "unsupported operator: `join`"),
        ("logs | lookup other on id", "unsupported operator: `lookup`"),
        ("logs | union other", "unsupported operator: `union`"),
        ("logs | sample 10", "unsupported operator: `sample`"),
        ("logs | getschema", "unsupported operator: `getschema`"),
        ("logs | redact a", "unsupported operator: `redact`"),
        ("logs | project-keep a", "unsupported operator: `project-keep`"),
        ("logs | project-rename b = a", "unsupported operator: `project-rename`"),
        ("logs | project-reorder a", "unsupported operator: `project-reorder`"),
        ("union ds1, ds2", "unsupported statement: `union`"),
        ("let x = 1; logs | where a == x", "unsupported statement: `let`"),
        ("set truncationmaxsize=1; logs", "unsupported statement: `set`"),
        ("logs | summarize stdev(x)", "unsupported aggregation: `stdev`"),
        ("logs | summarize arg_max(_time, *)", "unsupported: `*` as an argument of `arg_max`"),
        ("logs | summarize histogram(x, 10)", "unsupported aggregation: `histogram`"),
        ("logs | where startofday(_time) > now()", "unsupported function: `startofday`"),
        ("logs | extend x = format_datetime(_time, 'yyyy')", "unsupported function: `format_datetime`"),
    ]

    @Test("spec queries lower", arguments: lowering)
    func lowers(apl: String, expected: String) throws {
        let described = try describeAPL(apl)
        // Rows whose expectation is just the predicate of a single `where`.
        #expect(described == expected || described == "where \(expected)")
    }

    @Test("spec queries outside the subset are rejected", arguments: rejected)
    func rejects(apl: String, message: String) {
        let error = #expect(throws: APLError.self) { _ = try lowerAPL(apl) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.kind == .badRequest)
    }

    @Test func topkCarriesItsAxiomAggregationMetadata() throws {
        // §11 A15: agg {name:"topk", fields:["remote_ip"], args:[1]}
        let query = try lowerAPL("['ds'] | summarize topk(remote_ip, 1)")
        #expect(query.aggregations == [APLAggregationInfo(column: "topk_remote_ip", name: "topk", fields: ["remote_ip"], args: [.int(1)])])
        #expect(query.groupBy.isEmpty)
        #expect(query.timeBin == nil)
    }

    @Test func aTimeBinnedSummarizeReportsItsBucketsGroupsAndCount() throws {
        // §11 A18: groups [_time, request.method], buckets size 31536000000000000 ns, count_ {count}
        let query = try lowerAPL("['ds'] | summarize count() by bin(_time, 1y), ['request.method']")
        #expect(query.dataset == "ds")
        #expect(query.groupBy == ["_time", "request.method"])
        #expect(query.timeBin == APLTimeBin(column: "_time", sizeNanos: 31_536_000_000_000_000))
        #expect(query.aggregations == [APLAggregationInfo(column: "count_", name: "count")])
    }

    @Test func binAutoReportsTheSizeItChose() throws {
        let day: Int64 = 86_400_000_000_000
        let query = try lowerAPL("logs | summarize avg(d) by t = bin_auto(_time), host", startNanos: aplNowNanos - day, endNanos: aplNowNanos)
        #expect(query.timeBin == APLTimeBin(column: "t", sizeNanos: 300_000_000_000))
        #expect(query.groupBy == ["t", "host"])
    }

    @Test func onlyAFirstKeyOnTimeIsATimeBin() throws {
        #expect(try lowerAPL("logs | summarize count() by host, bin(_time, 1h)").timeBin == nil)
        #expect(try lowerAPL("logs | summarize count() by bin(d, 10)").timeBin == nil)
    }

    @Test func aggregationNamesAreTheOnesAxiomGoKnows() throws {
        let query = try lowerAPL(
            "logs | summarize count(), countif(a), sum(x), sumif(x, a), avg(x), min(x), max(x), dcount(x), percentiles(x, 50, 99.9), topk(x, 3), make_list(x), make_set(x), p = percentile(toint(y), 95)")
        #expect(query.aggregations.map(\.name) == [
            "count", "countif", "sum", "sumif", "avg", "min", "max", "distinct", "percentiles", "percentiles", "topk",
            "makelist", "makeset", "percentiles",
        ])
        #expect(query.aggregations.map(\.column) == [
            "count_", "countif_", "sum_x", "sumif_x", "avg_x", "min_x", "max_x", "dcount_x", "percentile_x_50",
            "percentile_x_99_9", "topk_x", "make_list_x", "make_set_x", "p",
        ])
        #expect(query.aggregations[8].args == [.int(50)])
        #expect(query.aggregations[9].args == [.float(99.9)])
        #expect(query.aggregations[13].fields == ["toint(y)"])
        #expect(query.aggregations[13].args == [.int(95)])
    }

    @Test func theCountOperatorIsOneColumnNamedCount() throws {
        let query = try lowerAPL("logs | where a | count")
        #expect(query.aggregations == [APLAggregationInfo(column: "count", name: "count")])
        #expect(query.groupBy.isEmpty)
    }

    @Test func theLastSummarizeDescribesTheOutput() throws {
        let query = try lowerAPL("logs | summarize n = count() by bin(_time, 1m), host | summarize max(n) by host")
        #expect(query.groupBy == ["host"])
        #expect(query.timeBin == nil)
        #expect(query.aggregations.map(\.column) == ["max_n"])
        let distinct = try lowerAPL("logs | summarize count() by host | distinct host")
        #expect(distinct.aggregations.isEmpty && distinct.groupBy.isEmpty)
    }
}
