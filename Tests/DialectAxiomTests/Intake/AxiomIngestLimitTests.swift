import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// Axiom's value limits (spec §5.2, A37, A38): long strings, deep nesting, field counts.
@Suite("Axiom ingest decoder: limits")
struct AxiomIngestLimitTests {
    @Test("a string over 1 MB is stored as <invalid string: too long> (A38)")
    func longString() throws {
        let long = String(repeating: "x", count: (1 << 20) + 1)
        let exact = String(repeating: "y", count: 1 << 20)
        let batch = try decodeAxiom("{\"a\":\"\(long)\",\"b\":\"\(exact)\"}")
        #expect(batch.records.first?[field: "a"] == .string("<invalid string: too long>"))
        #expect(batch.records.first?[field: "b"] == .string(exact))
    }

    @Test("a long CSV value is replaced the same way")
    func longCSVValue() throws {
        let batch = try decodeAxiom("a,b\nxxxxx,yy\n", format: .csv) { $0.limits.maxStringBytes = 4 }
        #expect(renderRecords(batch) == ["\(testNowText) a=\"<invalid string: too long>\" b=\"yy\""])
    }

    @Test("nesting deeper than the limit is cut to null", arguments: [1, 2, 3, 100])
    func nesting(limit: Int) throws {
        // The event object is level 1; `{"a":{"a":…}}` nested `limit + 1` deep.
        let depth = limit + 1
        let body = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        let batch = try decodeAxiom(body) { $0.limits.maxNestingDepth = limit }
        let kept = String(repeating: "{a:", count: limit - 1) + "null" + String(repeating: "}", count: limit - 1)
        #expect(renderRecords(batch) == ["\(testNowText) a=\(kept)"])
    }

    @Test("arrays count as nesting too")
    func arrayNesting() throws {
        let batch = try decodeAxiom(#"{"a":[[1],[2,[3]]]}"#) { $0.limits.maxNestingDepth = 3 }
        #expect(renderRecords(batch) == ["\(testNowText) a=[[1],[2,null]]"])
    }

    @Test("nesting past the scan limit fails the request rather than the stack")
    func hostileNesting() {
        let body = String(repeating: "[", count: 100_000)
        #expect(throws: WireError.self) { try decodeAxiom(body) }
        let line = "{\"a\":" + String(repeating: "[", count: 100_000)
        let batch = try? decodeAxiom(line + "\n{\"b\":1}", format: .ndjson)
        #expect(batch?.records.count == 1)
        #expect(batch?.failures.count == 1)
    }

    @Test("more fields than maxFieldsPerEvent fails the event; nested members count flattened")
    func fieldCount() throws {
        let batch = try decodeAxiom("{\"a\":1,\"b\":{\"c\":1,\"d\":2}}\n{\"a\":1,\"b\":2}") { $0.limits.maxFieldsPerEvent = 2 }
        #expect(renderRecords(batch) == ["\(testNowText) a=1 b=2"])
        #expect(batch.failures == [AxiomIngestFailure(timestamp: testNowText, error: "event has more than 2 fields")])
    }

    @Test("a field name of exactly 200 bytes is fine")
    func nameAtLimit() throws {
        let name = String(repeating: "n", count: 200)
        let batch = try decodeAxiom("{\"\(name)\":1}")
        #expect(batch.records.first?[field: name] == .int(1))
    }
}
