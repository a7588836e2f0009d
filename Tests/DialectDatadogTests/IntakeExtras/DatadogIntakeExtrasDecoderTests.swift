import BasinHTTP
import BasinModel
import HTTPTypes
import BasinTestKit
import BasinWire
import NIOCore
import Testing

@testable import DialectDatadog

/// Decodes `text` with a record-shaped decoder and keeps the typed error.
func decoded<T>(_ text: String, _ body: (UnsafeRawBufferPointer) throws(WireError) -> T) -> Result<T, WireError> {
    Array(text.utf8).withUnsafeBytes { raw in
        do throws(WireError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
}

@Suite("DatadogIntakeExtras service-check decoder")
struct DatadogIntakeExtrasServiceCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let body: String
        let expected: [DatadogServiceCheck]
        var description: String { name }
    }

    static let accepted: [Case] = [
        Case(name: "§7.16 array (recorded)", body: #"[{"check":"app.ok","host_name":"host","status":0,"tags":["test:x"]}]"#,
             expected: [DatadogServiceCheck(check: "app.ok", status: 0, hostName: "host", tags: ["test:x"])]),
        Case(name: "§7.17 single object (datadogpy)", body: #"{"check": "app.ok", "host_name": "h", "status": 2, "message": "boom", "tags": ["a:b"]}"#,
             expected: [DatadogServiceCheck(check: "app.ok", status: 2, hostName: "h", tags: ["a:b"], message: "boom")]),
        Case(name: "§7.45 Agent probe {}", body: "{}", expected: []),
        Case(name: "empty array", body: "[]", expected: []),
        Case(name: "capture datadogpy/009",
             body: #"{"check": "capture.app.can_connect", "host_name": "web-1", "status": 0, "message": "all good", "tags": ["env:prod"], "timestamp": 1795350967}"#,
             expected: [DatadogServiceCheck(check: "capture.app.can_connect", status: 0, hostName: "web-1", tags: ["env:prod"], timestampSeconds: 1795350967, message: "all good")]),
        Case(name: "capture datadog-api-client/013",
             body: #"[{"message": "fine", "timestamp": 1795350969, "check": "capture.app.ok", "host_name": "web-1", "status": 0, "tags": ["env:prod"]}]"#,
             expected: [DatadogServiceCheck(check: "capture.app.ok", status: 0, hostName: "web-1", tags: ["env:prod"], timestampSeconds: 1795350969, message: "fine")]),
        Case(name: "missing host and null tags", body: #"[{"check":"c","status":3,"tags":null}]"#,
             expected: [DatadogServiceCheck(check: "c", status: 3)]),
    ]

    @Test("Valid check_run bodies decode to the expected checks", arguments: accepted)
    func decodesValidBodies(_ c: Case) throws {
        let checks = try decoded(c.body) { (raw) throws(WireError) in try DatadogServiceCheckDecoder().decode(raw) }.get()
        #expect(checks == c.expected)
    }

    static let refused: [(String, String)] = [
        ("§7.18 status 7", #"[{"check":"x","host_name":"h","status":7,"tags":[]}]"#),
        ("missing status", #"[{"check":"x"}]"#),
        ("missing check", #"{"status":0}"#),
        ("status as string", #"{"check":"x","status":"0"}"#),
        ("empty body", ""),
        ("a number", "12"),
        ("truncated", #"[{"check":"x","status":0"#),
        ("empty element object", "[{}]"),
    ]

    @Test("Invalid check_run bodies are refused with a 400-class error", arguments: refused)
    func refusesInvalidBodies(_ name: String, _ body: String) {
        let result = decoded(body) { (raw) throws(WireError) in try DatadogServiceCheckDecoder().decode(raw) }
        guard case .failure(let error) = result else {
            Issue.record("\(name) was accepted")
            return
        }
        #expect(error.kind == .badRequest)
    }

    @Test("Too many tags names the maxTags limit")
    func tooManyTags() {
        var limits = DatadogRecordLimits()
        limits.maxTags = 2
        let result = decoded(#"{"check":"x","status":0,"tags":["a","b","c"]}"#) { (raw) throws(WireError) in
            try DatadogServiceCheckDecoder(limits: limits).decode(raw)
        }
        guard case .failure(let error) = result else { Issue.record("accepted"); return }
        #expect(error.message.contains("maxTags"))
        #expect(error.kind == .limitExceeded)
    }

    @Test("A check becomes a _service_checks record in the shared layout")
    func recordLayout() {
        let record = DatadogServiceCheck(check: "app.ok", status: 2, hostName: "h", tags: ["a:b"], timestampSeconds: 1_700_000_000, message: "boom")
            .record(nowMillis: 1)
        #expect(record.timeNanos == 1_700_000_000_000_000_000)
        #expect(record[field: "check"] == .string("app.ok"))
        #expect(record[field: "status"] == .int(2))
        #expect(record[field: "host"] == .string("h"))
        #expect(record[field: "tags"] == .array([.string("a:b")]))
        #expect(record[field: "message"] == .string("boom"))
        #expect(record[field: "dialect"] == .string("datadog"))
    }
}

@Suite("DatadogIntakeExtras event decoder")
struct DatadogIntakeExtrasEventDecoderTests {
    static let accepted: [(String, String, DatadogEvent)] = [
        ("§7.19 recorded", #"{"tags":["test:x"],"text":"A text message.","title":"Test-Post_an_event"}"#,
         DatadogEvent(title: "Test-Post_an_event", text: "A text message.", tags: ["test:x"])),
        ("capture datadogpy/005",
         #"{"title": "Deploy finished", "text": "Deployed build 42 to prod\nAll checks green.", "tags": ["env:prod", "service:api", "version:42"], "alert_type": "success", "priority": "normal", "aggregation_key": "deploy-42", "source_type_name": "my_apps", "date_happened": 1795350937, "host": "web-1"}"#,
         DatadogEvent(title: "Deploy finished", text: "Deployed build 42 to prod\nAll checks green.", dateHappenedSeconds: 1795350937,
                      priority: "normal", host: "web-1", tags: ["env:prod", "service:api", "version:42"], alertType: "success",
                      aggregationKey: "deploy-42", sourceTypeName: "my_apps")),
        ("capture datadogpy/006", #"{"title": "Minimal event", "text": "just text", "host": "capture-host"}"#,
         DatadogEvent(title: "Minimal event", text: "just text", host: "capture-host")),
        ("capture datadogpy/014", #"{"title": "ThreadStats event", "text": "sent through ThreadStats", "alert_type": "info", "tags": ["page:home", "team:core"], "host": "capture-host"}"#,
         DatadogEvent(title: "ThreadStats event", text: "sent through ThreadStats", host: "capture-host", tags: ["page:home", "team:core"], alertType: "info")),
        ("capture datadog-api-client/010",
         #"{"aggregation_key": "deploy-43", "alert_type": "info", "date_happened": 1795350939, "host": "web-1", "priority": "normal", "source_type_name": "my_apps", "tags": ["env:prod", "service:api"], "text": "Deployed build 43", "title": "Deploy finished (api client)"}"#,
         DatadogEvent(title: "Deploy finished (api client)", text: "Deployed build 43", dateHappenedSeconds: 1795350939, priority: "normal",
                      host: "web-1", tags: ["env:prod", "service:api"], alertType: "info", aggregationKey: "deploy-43", sourceTypeName: "my_apps")),
        ("legacy handle and nulls", #"{"title":"t","text":"x","handle":"me","priority":null,"related_event_id":5,"device_name":"sda"}"#,
         DatadogEvent(title: "t", text: "x", relatedEventID: 5, deviceName: "sda")),
    ]

    @Test("Valid event bodies decode", arguments: accepted)
    func decodesValidEvents(_ name: String, _ body: String, _ expected: DatadogEvent) throws {
        let event = try decoded(body) { (raw) throws(WireError) in try DatadogEventDecoder().decode(raw) }.get()
        #expect(event == expected)
    }

    static let refused: [(String, String)] = [
        ("§7.21 missing text", #"{"title":"only title"}"#),
        ("missing title", #"{"text":"x"}"#),
        ("bad priority", #"{"title":"t","text":"x","priority":"urgent"}"#),
        ("bad alert_type", #"{"title":"t","text":"x","alert_type":"panic"}"#),
        ("array body", #"[{"title":"t","text":"x"}]"#),
        ("tags not array", #"{"title":"t","text":"x","tags":"a:b"}"#),
        ("empty", ""),
    ]

    @Test("Invalid event bodies are refused", arguments: refused)
    func refusesInvalidEvents(_ name: String, _ body: String) {
        let result = decoded(body) { (raw) throws(WireError) in try DatadogEventDecoder().decode(raw) }
        if case .success = result { Issue.record("\(name) was accepted") }
    }

    @Test("§7.22 a text of 4001 characters is cut to 4000")
    func textIsTruncated() throws {
        let text = String(repeating: "é", count: 4001)
        let event = try decoded(#"{"title":"t","text":"\#(text)"}"#) { (raw) throws(WireError) in try DatadogEventDecoder().decode(raw) }.get()
        #expect(event.text.unicodeScalars.count == 4000)
    }

    @Test("§7.20 an event 18 hours old is refused with Datadog's message")
    func tooOld() {
        let now: Int64 = 1_800_000_000_000
        #expect(DatadogEvent(title: "T", text: "x", dateHappenedSeconds: 1).timeProblem(nowMillis: now) == "Event too far in the past")
        #expect(DatadogEvent(title: "T", text: "x", dateHappenedSeconds: now / 1000 - 17 * 3600).timeProblem(nowMillis: now) == nil)
        #expect(DatadogEvent(title: "T", text: "x").timeProblem(nowMillis: now) == nil)
    }

    @Test("An event round-trips through its _events record with its id")
    func recordRoundTrip() throws {
        var event = DatadogEvent(title: "T", text: "x", dateHappenedSeconds: 1_700_000_000, priority: "low", host: "h", tags: ["a:b"],
                                 alertType: "error", aggregationKey: "k", sourceTypeName: "s", relatedEventID: 9, deviceName: "d")
        var generator = SeededGenerator(seed: 7)
        event.id = DatadogEventID.make(timeNanos: event.timeNanos(nowMillis: 0), using: &generator)
        let record = event.record(nowMillis: 0)
        #expect(record[field: "source"] == .string("s"))
        #expect(record[field: "dialect"] == .string("datadog"))
        let back = try #require(DatadogEvent(record: record))
        #expect(back == event)
        #expect(DatadogEventID.seconds(of: back.id ?? -1) == 1_700_000_000)
    }

    @Test("A SignalFx-style record without an id gets a stable derived id in its second")
    func derivedID() throws {
        let record = Record(timeNanos: 1_700_000_000_123_000_000, fields: [
            RecordField("title", .string("deploy")), RecordField("tags", .array([.string("host:a")])),
            RecordField("host", .string("a")), RecordField("dialect", .string("signalfx")),
        ])
        let first = try #require(DatadogEvent(record: record))
        let second = try #require(DatadogEvent(record: record))
        #expect(first.id == second.id)
        #expect(DatadogEventID.seconds(of: first.id ?? -1) == 1_700_000_000)
        #expect(first.host == "a")
        #expect(first.dialect == "signalfx")
    }
}

@Suite("DatadogIntakeExtras events query")
struct DatadogIntakeExtrasEventsQueryTests {
    @Test("Captured list queries parse", arguments: [
        ("start=1795347367&end=1795350967&priority=normal&tags=env%3Aprod%2Cservice%3Aapi", ["env:prod", "service:api"], "normal"),
        ("start=1795347369&end=1795350969&tags=env%3Aprod%2Cservice%3Aapi", ["env:prod", "service:api"], nil),
    ] as [(String, [String], String?)])
    func parsesCaptures(_ query: String, _ tags: [String], _ priority: String?) throws {
        let parameters = FormQuery.parameters(DatadogRoutesTests.request(.get, path: "/api/v1/events?" + query))
        let parsed = try DatadogEventsQuery.parse(parameters).get()
        #expect(parsed.tags == tags)
        #expect(parsed.priority == priority)
    }

    @Test("Missing or invalid start/end are refused", arguments: ["end=5", "start=5", "start=a&end=5", "start=1&end=2&page=-1", "start=1&end=2&priority=urgent"])
    func refuses(_ query: String) {
        let parameters = FormQuery.parameters(DatadogRoutesTests.request(.get, path: "/api/v1/events?" + query))
        if case .success = DatadogEventsQuery.parse(parameters) { Issue.record("accepted \(query)") }
    }

    @Test("Tag filters need every tag; a bare key matches any value")
    func tagSemantics() {
        let event = DatadogEvent(title: "t", text: "", tags: ["env:prod", "service:api", "canary"])
        func q(_ tags: [String], sources: [String] = [], priority: String? = nil) -> Bool {
            DatadogEventsQuery(startSeconds: 0, endSeconds: 1, priority: priority, sources: sources, tags: tags).matches(event)
        }
        #expect(q(["env:prod", "service:api"]))
        #expect(q(["env"]))
        #expect(q(["canary"]))
        #expect(!q(["env:dev"]))
        #expect(!q(["env:prod", "team:x"]))
        #expect(q([], priority: "normal"))
        #expect(!q([], priority: "low"))
        #expect(!q([], sources: ["nagios"]))
    }
}
