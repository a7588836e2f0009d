@testable import DialectAxiom

/// 2023-11-14T22:13:20Z, the instant `ago()` and `now()` count from in these tests.
let aplNowNanos: Int64 = 1_700_000_000_000_000_000
let aplHourNanos: Int64 = 3_600_000_000_000

/// Lowers `apl` over the hour before ``aplNowNanos``.
func lowerAPL(_ apl: String, startNanos: Int64 = aplNowNanos - aplHourNanos, endNanos: Int64 = aplNowNanos) throws(APLError) -> APLQuery {
    try APLLowering.lower(apl, startNanos: startNanos, endNanos: endNanos, nowNanos: aplNowNanos)
}

/// The canonical rendering of what `apl` lowers to.
func describeAPL(_ apl: String) throws(APLError) -> String {
    describe(try lowerAPL(apl).stages)
}
