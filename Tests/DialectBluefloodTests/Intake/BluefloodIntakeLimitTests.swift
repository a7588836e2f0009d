import BasinModel
import Testing

@testable import DialectBlueflood

/// Every limit is an error entry of the offending item whose message names the limit.
@Suite("BluefloodIntake limits")
struct BluefloodIntakeLimitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var id: String
        var endpoint: IntakeEndpoint
        var body: String
        var expected: BluefloodErrorEntry
        var testDescription: String { id }
    }

    static let longName = String(repeating: "n", count: 600)
    static let kept = String(repeating: "n", count: 512)

    static func bundle(_ rest: String) -> String {
        "{\"tenantId\":\"t\",\"timestamp\":\(intakeNow),\(rest)}"
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    static let cases: [Case] = [
        Case(id: "metric name", endpoint: .ingest, body: "[\(metricJSON(longName))]",
             expected: entry("acTEST", intakeNow, kept, "metricName", "metricName is 600 bytes, over the limit of 512")),
        Case(id: "unit", endpoint: .ingest, body: "[\(metricJSON("a", extra: ",\"unit\":\"\(String(repeating: "u", count: 5000))\""))]",
             expected: entry("acTEST", intakeNow, "a", "unit", "unit is 5000 bytes, over the limit of 4096")),
        Case(id: "tenant of a multi element", endpoint: .multi,
             body: "[\(metricJSON("a", extra: ",\"tenantId\":\"\(String(repeating: "t", count: 70))\""))]",
             expected: entry(String(repeating: "t", count: 64), intakeNow, "a", "tenantId", "tenantId is 70 bytes, over the limit of 64")),
        Case(id: "metricValue depth", endpoint: .ingest, body: "[\(metricJSON("a", value: nested(40)))]",
             expected: entry("acTEST", intakeNow, "a", "metricValue", "metricValue is nested deeper than the limit of 32 levels")),
        Case(id: "gauge name", endpoint: .aggregated, body: bundle("\"gauges\":[{\"name\":\"\(longName)\",\"value\":1}]"),
             expected: entry("t", intakeNow, kept, "gauges[0].name", "name is 600 bytes, over the limit of 512")),
        Case(id: "set value count", endpoint: .aggregated,
             body: bundle("\"sets\":[{\"name\":\"s\",\"values\":[\((0..<10_001).map { "\"\($0)\"" }.joined(separator: ","))]}]"),
             expected: entry("t", intakeNow, "s", "sets[0].values", "values has 10001 strings, over the limit of 10000")),
        Case(id: "set value bytes", endpoint: .aggregated,
             body: bundle("\"sets\":[{\"values\":[\"a\",\"\(String(repeating: "v", count: 4097))\"],\"name\":\"s\"}]"),
             expected: entry("t", intakeNow, "s", "sets[0].values[1]", "set value is 4097 bytes, over the limit of 4096")),
        Case(id: "histogram depth", endpoint: .aggregated,
             body: bundle("\"timers\":[{\"name\":\"tm\",\"count\":1,\"histogram\":\(nested(33))}]"),
             expected: entry("t", intakeNow, "tm", "timers[0].histogram", "timers[0].histogram is nested deeper than the limit of 32 levels")),
        Case(id: "percentile key", endpoint: .aggregated,
             body: bundle("\"timers\":[{\"name\":\"tm\",\"count\":1,\"percentiles\":{\"\(String(repeating: "9", count: 65))\":{\"avg\":1}}}]"),
             expected: entry("t", intakeNow, "tm", "timers[0].percentiles", "percentile key is 65 bytes, over the limit of 64")),
        Case(id: "bundle tenant", endpoint: .aggregated,
             body: "{\"tenantId\":\"\(String(repeating: "t", count: 65))\",\"timestamp\":\(intakeNow),\"gauges\":[{\"name\":\"g\",\"value\":1}]}",
             expected: entry(String(repeating: "t", count: 64), intakeNow, "", "tenantId", "tenantId is 65 bytes, over the limit of 64")),
        Case(id: "event data", endpoint: .events,
             body: "{\"what\":\"w\",\"when\":\(intakeNow),\"data\":\"\(String(repeating: "d", count: 65_537))\"}",
             expected: entry("acTEST", intakeNow, "", "data", "data is 65537 bytes, over the limit of 65536")),
    ]

    @Test("an item over a limit is refused with an entry naming the limit", arguments: cases)
    func overLimit(_ limit: Case) {
        #expect(decodeIntake(limit.endpoint, limit.body).failure == .errors([limit.expected]))
    }

    @Test("an item over a limit does not stop the others from being stored")
    func partial() throws {
        let body = "[\(metricJSON(Self.longName)),\(metricJSON("ok"))]"
        let intake = try #require(decodeIntake(.ingest, body).intake)
        #expect(intake.sampleCount == 1)
        #expect(intake.errors.count == 1)
    }

    @Test("deep nesting anywhere costs no stack and never traps")
    func deepNesting() {
        let deep = Self.nested(200_000)
        #expect(decodeIntake(.ingest, "[\(metricJSON("a", value: deep))]").failure != nil)
        #expect(decodeIntake(.aggregated, Self.bundle("\"x\":\(deep),\"gauges\":[]")).failure != nil)
        #expect(decodeIntake(.ingest, deep).failure == .errors([.generic(tenantId: "acTEST", "Cannot parse content")]))
        #expect(decodeIntake(.events, deep).failure != nil)
    }

    @Test("a path tenant over the limit is a generic error")
    func pathTenant() {
        let tenant = String(repeating: "p", count: 65)
        #expect(decodeIntake(.ingest, "[\(metricJSON("a"))]", tenant: tenant).failure
            == .errors([.generic(tenantId: tenant, "tenantId is 65 bytes, over the limit of 64")]))
    }
}
