import BasinModel
import Testing

@testable import DialectBlueflood

/// The spec's intake vectors (§15 B1–B34, B56, B57) and the §3.1/§5/§6 rules they stand for.
@Suite("BluefloodIntake spec vectors")
struct BluefloodIntakeVectorTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        var id: String
        var endpoint: IntakeEndpoint
        var body: String
        var failure: BluefloodIntakeFailure
        var testDescription: String { id }
    }

    static let now = intakeNow
    static let old = intakeNow - 259_200_000 - 1000
    static let future = intakeNow + 600_000 + 1000

    static func generic(_ message: String, tenant: String = "acTEST") -> BluefloodIntakeFailure {
        .errors([.generic(tenantId: tenant, message)])
    }

    static func bundle(tenant: String = "333333", timestamp: Int64 = intakeNow, _ rest: String) -> String {
        "{\"tenantId\":\"\(tenant)\",\"timestamp\":\(timestamp)\(rest.isEmpty ? "" : ",")\(rest)}"
    }

    static let refusals: [Refusal] = [
        Refusal(id: "B2 empty body", endpoint: .ingest, body: "", failure: generic("Cannot parse content")),
        Refusal(id: "B3 {}", endpoint: .ingest, body: "{}", failure: generic("Cannot parse content")),
        Refusal(id: "B4 invalid JSON", endpoint: .ingest, body: "{\"xxxx\": yyyy}", failure: generic("Cannot parse content")),
        Refusal(id: "B5 []", endpoint: .ingest, body: "[]", failure: generic("No valid metrics")),
        Refusal(id: "B6 [{}]", endpoint: .ingest, body: "[{}]", failure: .errors([
            entry("acTEST", 0, "", "metricName", "may not be empty"),
            entry("acTEST", 0, "", "collectionTime", outOfBounds),
            entry("acTEST", 0, "", "ttlInSeconds", "must be between 1 and 2147483647"),
        ])),
        Refusal(id: "B7 empty metric name", endpoint: .ingest, body: "[\(metricJSON(""))]",
                failure: .errors([entry("acTEST", now, "", "metricName", "may not be empty")])),
        Refusal(id: "B8 collectionTime in the past", endpoint: .ingest, body: "[\(metricJSON("a.b", time: old))]",
                failure: .errors([entry("acTEST", old, "a.b", "collectionTime", outOfBounds)])),
        Refusal(id: "B9 collectionTime in the future", endpoint: .ingest, body: "[\(metricJSON("a.b", time: future))]",
                failure: .errors([entry("acTEST", future, "a.b", "collectionTime", outOfBounds)])),
        Refusal(id: "B10 ttl omitted", endpoint: .ingest,
                body: "[{\"metricName\":\"a.b\",\"metricValue\":1,\"collectionTime\":\(now)}]",
                failure: .errors([entry("acTEST", now, "a.b", "ttlInSeconds", "must be between 1 and 2147483647")])),
        Refusal(id: "B11 no metricValue", endpoint: .ingest,
                body: "[{\"metricName\":\"a.b\",\"collectionTime\":\(now),\"ttlInSeconds\":100}]",
                failure: generic("No valid metrics")),
        Refusal(id: "B12 two invalid metrics", endpoint: .ingest,
                body: "[\(metricJSON("a.b.c.1", ttl: -1)),\(metricJSON("a.b.c.2", time: intakeNow - 259_201_000))]",
                failure: .errors([
                    entry("acTEST", now, "a.b.c.1", "ttlInSeconds", "must be between 1 and 2147483647"),
                    entry("acTEST", intakeNow - 259_201_000, "a.b.c.2", "collectionTime", outOfBounds),
                ])),
        Refusal(id: "B13 string and boolean values", endpoint: .ingest,
                body: "[\(metricJSON("s.1", value: "\"random_string\"")),\(metricJSON("s.2", value: "\"666\"")),\(metricJSON("s.3", value: "true"))]",
                failure: .errors([
                    entry("acTEST", now, "s.1", "metricValue", "metric value must be numeric"),
                    entry("acTEST", now, "s.2", "metricValue", "metric value must be numeric"),
                    entry("acTEST", now, "s.3", "metricValue", "metric value must be numeric"),
                ])),
        Refusal(id: "B18 multi-tenant payload on /ingest", endpoint: .ingest,
                body: "[\(metricJSON("a.b", extra: ",\"tenantId\":\"t1\""))]", failure: generic("Cannot parse content")),
        Refusal(id: "B20 multi without tenantId", endpoint: .multi,
                body: "[\(metricJSON("m.1")),\(metricJSON("m.2")),\(metricJSON("m.3"))]",
                failure: .errors((1...3).map { entry("", now, "m.\($0)", "tenantId", "may not be empty") })),
        Refusal(id: "B23 aggregated timestamp in the past", endpoint: .aggregated,
                body: bundle(timestamp: old, "\"gauges\":[{\"name\":\"g\",\"value\":1}]"),
                failure: .errors([entry("333333", old, "", "timestamp", outOfBounds)])),
        Refusal(id: "B24 aggregated {}", endpoint: .aggregated, body: "{}", failure: .errors([
            entry("", 0, "", "tenantId", "may not be empty"),
            entry("", 0, "", "timestamp", outOfBounds),
            entry("", 0, "", "", "At least one of the aggregated metrics(gauges, counters, timers, sets) are expected"),
        ])),
        Refusal(id: "B25 aggregated empty body", endpoint: .aggregated, body: "", failure: generic("Invalid request body")),
        Refusal(id: "B25 aggregated null", endpoint: .aggregated, body: "null", failure: generic("Invalid request body")),
        Refusal(id: "B26 flushInterval -1", endpoint: .aggregated,
                body: bundle("\"flushInterval\":-1,\"gauges\":[{\"name\":\"g\",\"value\":1}]"),
                failure: .errors([entry("333333", now, "", "flushInterval", "must be between 0 and 9223372036854775807")])),
        Refusal(id: "B27 no metric arrays", endpoint: .aggregated, body: bundle("\"flushInterval\":10"),
                failure: .errors([entry("333333", now, "", "", "At least one of the aggregated metrics(gauges, counters, timers, sets) are expected")])),
        Refusal(id: "B28 gauge without value", endpoint: .aggregated, body: bundle("\"gauges\":[{\"name\":\"foo\"}]"),
                failure: .errors([entry("333333", now, "foo", "gauges[0].value", "may not be null")])),
        Refusal(id: "B29 aggregated multi []", endpoint: .aggregatedMulti, body: "[]", failure: .plainText("No valid metrics")),
        Refusal(id: "B30 aggregated multi {}", endpoint: .aggregatedMulti, body: "{}", failure: generic("Invalid request body")),
        Refusal(id: "B32 event {}", endpoint: .events, body: "{}", failure: .errors([
            entry("acTEST", 0, "", "what", "may not be empty"),
            entry("acTEST", 0, "", "when", outOfBounds),
        ])),
        Refusal(id: "B33 event with empty what", endpoint: .events, body: "{\"what\":\"\",\"when\":\(now)}",
                failure: .errors([entry("acTEST", now, "", "what", "may not be empty")])),
        Refusal(id: "§6 two events", endpoint: .events, body: "{\"what\":\"a\",\"when\":\(now)}{\"what\":\"b\",\"when\":\(now)}",
                failure: generic("Invalid Data: Only one event is allowed per request")),
        Refusal(id: "B56 ttl 2147483647", endpoint: .ingest, body: "[\(metricJSON("a.b", ttl: 2_147_483_647))]",
                failure: generic("Invalid data TTL supplied for metric is invalid. Required: 0 < ttl < 2147483647, provided: 2147483647")),
        Refusal(id: "§3.1 value beyond Double.max", endpoint: .ingest, body: "[\(metricJSON("a.b", value: "1e400"))]",
                failure: .internalError("Failed parsing content")),
        Refusal(id: "§3.1 integer beyond Double.max", endpoint: .ingest,
                body: "[\(metricJSON("a.b", value: String(repeating: "9", count: 400)))]", failure: .internalError("Failed parsing content")),
        Refusal(id: "§3.1 all values null", endpoint: .ingest, body: "[\(metricJSON("a.b", value: "null"))]", failure: generic("No valid metrics")),
        Refusal(id: "§3.1 ttl beyond int", endpoint: .ingest, body: "[\(metricJSON("a.b", ttl: 2_147_483_648))]", failure: generic("Cannot parse content")),
        Refusal(id: "§3.1 unknown member", endpoint: .ingest, body: "[\(metricJSON("a.b", extra: ",\"foo\":1"))]", failure: generic("Cannot parse content")),
        Refusal(id: "§3.1 non-numeric collectionTime string", endpoint: .ingest,
                body: "[{\"metricName\":\"a\",\"metricValue\":1,\"collectionTime\":\"soon\",\"ttlInSeconds\":5}]", failure: generic("Cannot parse content")),
        Refusal(id: "§4 multi with an empty tenantId", endpoint: .multi, body: "[\(metricJSON("a.b", extra: ",\"tenantId\":\"\""))]",
                failure: .errors([entry("", now, "a.b", "tenantId", "may not be empty")])),
        Refusal(id: "§5.3 all bundles invalid", endpoint: .aggregatedMulti,
                body: "[\(bundle(timestamp: old, "\"gauges\":[{\"name\":\"g\",\"value\":1}]"))]",
                failure: .errors([entry("333333", old, "", "timestamp", outOfBounds)])),
        Refusal(id: "§5 counter without rate", endpoint: .aggregated, body: bundle("\"counters\":[{\"name\":\"c\",\"value\":1}]"),
                failure: .errors([entry("333333", now, "c", "counters[0].rate", "may not be null")])),
        Refusal(id: "§5 timer without count or name", endpoint: .aggregated, body: bundle("\"timers\":[{\"avg\":1}]"),
                failure: .errors([
                    entry("333333", now, "", "timers[0].name", "may not be empty"),
                    entry("333333", now, "", "timers[0].count", "may not be null"),
                ])),
        Refusal(id: "§5 set without values", endpoint: .aggregated, body: bundle("\"sets\":[{\"name\":\"s\"}]"),
                failure: .internalError("Failed parsing content")),
        Refusal(id: "§5 gauges not an array", endpoint: .aggregated, body: bundle("\"gauges\":{}"), failure: generic("Invalid request body")),
        Refusal(id: "§5 boolean value", endpoint: .aggregated, body: bundle("\"gauges\":[{\"name\":\"g\",\"value\":true}]"),
                failure: generic("Invalid request body")),
    ]

    @Test("refused requests give the spec's exact errors", arguments: refusals)
    func refusal(_ vector: Refusal) {
        #expect(decodeIntake(vector.endpoint, vector.body).failure == vector.failure)
    }

    struct Acceptance: Sendable, CustomTestStringConvertible {
        var id: String
        var endpoint: IntakeEndpoint
        var body: String
        /// `tenant name=value` per stored sample, in order.
        var samples: [String]
        var errors: [BluefloodErrorEntry] = []
        var testDescription: String { id }
    }

    static func multiJSON(_ name: String, tenant: String, time: Int64 = intakeNow, value: Int = 1) -> String {
        metricJSON(name, value: "\(value)", time: time, extra: ",\"tenantId\":\"\(tenant)\"")
    }

    static let acceptances: [Acceptance] = [
        Acceptance(id: "B1 happy case, null dropped", endpoint: .ingest,
                   body: "[\(metricJSON("mzord.duration", value: "9223372036854775807", ttl: 1_234_566)),\(metricJSON("mzord.status", value: "0", ttl: 1_234_566)),\(metricJSON("mzord.hipster", value: "null", ttl: 1_234_566))]",
                   samples: ["acTEST mzord.duration=9.223372036854776e+18", "acTEST mzord.status=0.0"]),
        Acceptance(id: "B14 partial string and boolean values", endpoint: .ingest,
                   body: "[\(metricJSON("s.1", value: "\"random_string\"")),\(metricJSON("s.2", value: "\"666\"")),\(metricJSON("s.3", value: "true")),\(metricJSON("n.1", value: "123")),\(metricJSON("n.2", value: "4525"))]",
                   samples: ["acTEST n.1=123.0", "acTEST n.2=4525.0"],
                   errors: (1...3).map { entry("acTEST", intakeNow, "s.\($0)", "metricValue", "metric value must be numeric") }),
        Acceptance(id: "B19 multi-tenant batching", endpoint: .multi,
                   body: "[" + (0..<6).map { multiJSON("m.\($0)", tenant: $0 % 2 == 0 ? "tenantOne" : "tenantTwo", value: $0) }.joined(separator: ",") + "]",
                   samples: ["tenantOne m.0=0.0", "tenantOne m.2=2.0", "tenantOne m.4=4.0", "tenantTwo m.1=1.0", "tenantTwo m.3=3.0", "tenantTwo m.5=5.0"]),
        Acceptance(id: "B21 multi with different times", endpoint: .multi,
                   body: "[" + [multiJSON("v.1", tenant: "t"), multiJSON("o.1", tenant: "t", time: old), multiJSON("o.2", tenant: "t", time: old),
                                multiJSON("f.1", tenant: "t", time: future), multiJSON("f.2", tenant: "t", time: future), multiJSON("v.2", tenant: "t")].joined(separator: ",") + "]",
                   samples: ["t v.1=1.0", "t v.2=1.0"],
                   errors: [entry("t", old, "o.1", "collectionTime", outOfBounds), entry("t", old, "o.2", "collectionTime", outOfBounds),
                            entry("t", future, "f.1", "collectionTime", outOfBounds), entry("t", future, "f.2", "collectionTime", outOfBounds)]),
        Acceptance(id: "B31 aggregated multi with old and future bundles", endpoint: .aggregatedMulti,
                   body: "[" + [bundle(tenant: "a", "\"gauges\":[{\"name\":\"g\",\"value\":1}]"),
                                bundle(tenant: "b", timestamp: old, "\"gauges\":[{\"name\":\"g\",\"value\":2}]"),
                                bundle(tenant: "c", timestamp: future, "\"gauges\":[{\"name\":\"g\",\"value\":3}]")].joined(separator: ",") + "]",
                   samples: ["a g=1.0"],
                   errors: [entry("b", old, "", "timestamp", outOfBounds), entry("c", future, "", "timestamp", outOfBounds)]),
        Acceptance(id: "B57 integer beyond Int64", endpoint: .ingest, body: "[\(metricJSON("big", value: "18446744073709000000"))]",
                   samples: ["acTEST big=1.8446744073709e+19"]),
        Acceptance(id: "§3.1 numeric strings coerced for collectionTime and ttl", endpoint: .ingest,
                   body: "[{\"metricName\":\"a\",\"metricValue\":2.5,\"collectionTime\":\" \(now) \",\"ttlInSeconds\":\"60\",\"unit\":\"ms\"}]",
                   samples: ["acTEST a=2.5"]),
        Acceptance(id: "§3.1 numbers coerced to metric names", endpoint: .ingest,
                   body: "[{\"metricName\":12.50,\"metricValue\":-1,\"collectionTime\":\(now),\"ttlInSeconds\":1}]", samples: ["acTEST 12.50=-1.0"]),
        Acceptance(id: "§3.1 object value is not numeric", endpoint: .ingest,
                   body: "[\(metricJSON("o", value: "{\"a\":[1,{}]}")),\(metricJSON("k"))]", samples: ["acTEST k=1.0"],
                   errors: [entry("acTEST", intakeNow, "o", "metricValue", "metric value must be numeric")]),
        Acceptance(id: "§3.2 validation errors before value errors", endpoint: .ingest,
                   body: "[\(metricJSON("s", value: "\"x\"")),\(metricJSON("t", ttl: 0)),\(metricJSON("k"))]", samples: ["acTEST k=1.0"],
                   errors: [entry("acTEST", intakeNow, "t", "ttlInSeconds", "must be between 1 and 2147483647"),
                            entry("acTEST", intakeNow, "s", "metricValue", "metric value must be numeric")]),
        Acceptance(id: "§4 value errors name the path tenant", endpoint: .multi,
                   body: "[\(multiJSON("k", tenant: "own")),\(metricJSON("s", value: "false", extra: ",\"tenantId\":\"own\""))]",
                   samples: ["own k=1.0"], errors: [entry("acTEST", intakeNow, "s", "metricValue", "metric value must be numeric")]),
        Acceptance(id: "§4 numeric tenantId coerced", endpoint: .multi, body: "[\(metricJSON("k", extra: ",\"tenantId\":1234"))]",
                   samples: ["1234 k=1.0"]),
        Acceptance(id: "§5 Gson leniency: unknown members and numeric strings", endpoint: .aggregated,
                   body: "{\"tenantId\":55,\"timestamp\":\"\(now)\",\"flushInterval\":\"1e3\",\"extra\":{\"x\":[1]},\"gauges\":[null,{\"name\":\"g\",\"value\":\"4.5\",\"note\":1}]}",
                   samples: ["55 g=4.5"]),
    ]

    @Test("accepted requests store exactly the valid samples", arguments: acceptances)
    func acceptance(_ vector: Acceptance) throws {
        let intake = try #require(decodeIntake(vector.endpoint, vector.body).intake)
        let rendered = intake.samples.map { "\($0.tenant) \($0.series.hasSuffix("{}") ? String($0.series.dropLast(2)) : $0.series)=\($0.value)" }
        #expect(rendered == vector.samples)
        #expect(intake.errors == vector.errors)
        #expect(intake.sampleCount == vector.samples.count)
        #expect(intake.samples.allSatisfy { $0.kind == .gauge })
    }
}
