import Testing
@testable import DialectAxiom

/// One row per operator, function, stage and default column name: the APL and the canonical
/// rendering (see `describe`) of the stages it lowers to.
@Suite struct APLLoweringTests {
    @Test("stages", arguments: stages)
    func stage(apl: String, expected: String) throws {
        #expect(try describeAPL(apl) == expected)
    }

    @Test("summarize aggregations, keys and default column names", arguments: summarize)
    func summarizeClause(clause: String, expected: String) throws {
        #expect(try describeAPL("logs | summarize \(clause)") == expected)
    }

    @Test("expressions", arguments: expressions)
    func expression(apl: String, expected: String) throws {
        #expect(try describeAPL("logs | where \(apl)") == "where \(expected)")
    }

    @Test func theDatasetComesFromEverySourceForm() throws {
        #expect(try lowerAPL("logs").dataset == "logs")
        #expect(try lowerAPL("['my-ds']").dataset == "my-ds")
        #expect(try lowerAPL("[\"a b\"] | take 1").dataset == "a b")
        #expect(try lowerAPL("search in (['x.y']) 'z'").dataset == "x.y")
    }

    @Test func binAutoPicksTheSmallestSizeWithAtMostAThousandBuckets() {
        let second: Int64 = 1_000_000_000
        #expect(APLLowering.autoBinSizeNanos(startNanos: 0, endNanos: 1_000 * second) == second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: 0, endNanos: 1_001 * second) == 5 * second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: 0, endNanos: 24 * 3_600 * second) == 300 * second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: 0, endNanos: 30 * 86_400 * second) == 3_600 * second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: 0, endNanos: 100 * 365 * 86_400 * second) == 7 * 86_400 * second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: .min, endNanos: .max) == 7 * 86_400 * second)
        #expect(APLLowering.autoBinSizeNanos(startNanos: 5, endNanos: 5) == second)
    }
}
