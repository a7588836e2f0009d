// libFuzzer target: Blueflood ingest bodies, `/views` query parameters and search globs.
//
// Each input is used four ways:
// 1. as a body for every decoder of `BluefloodIngestDecoder` (`/ingest`, `/ingest/multi`,
//    `/ingest/aggregated`, `/ingest/aggregated/multi`, `/events`);
// 2. as a query string (`a=1&b=2`, no percent-decoding) for `BluefloodPlotRequest.parse`;
// 3. as a search glob for `BluefloodSearch.metrics` and `.names` (`metrics/search`,
//    `metric_name/search`). `BluefloodGlob` itself is internal, so it is reached through the
//    public search with a stub store that answers from a fixed name list, which also runs the
//    translated regex through `LabelMatcher` (so a glob that translates to an uncompilable or
//    pathological regex shows up here).
import BasinModel
import DialectBlueflood
import Dispatch
import StorageAPI

/// The server clock every decode runs at (2026-11-22, near the fixtures' capture time).
let nowMillis: Int64 = 1_795_350_947_000
let decoder = BluefloodIngestDecoder(options: BluefloodIntakeOptions(nowMillis: nowMillis))
let store = StubStore()
let search = BluefloodSearch(store: store)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    _ = decoder.decodeMetrics(body, pathTenant: "fuzz", multiTenant: false)
    _ = decoder.decodeMetrics(body, pathTenant: "fuzz", multiTenant: true)
    _ = decoder.decodeAggregated(body, pathTenant: "fuzz", multi: false)
    _ = decoder.decodeAggregated(body, pathTenant: "fuzz", multi: true)
    _ = decoder.decodeEvent(body, pathTenant: "fuzz")

    let text = String(decoding: body, as: UTF8.self)
    _ = BluefloodPlotRequest.parse(queryParameters(text), nowMillis: nowMillis)

    // The glob: the whole input, bounded so a long input does not only exercise the regex engine.
    if size <= 256 {
        runSearch(text)
    }
    return 0
}

/// `a=1&b=2&c` as `[(a, 1), (b, 2), (c, "")]`, repeated names kept, in order.
func queryParameters(_ text: String) -> [(name: String, value: String)] {
    text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> (name: String, value: String) in
        guard let eq = pair.firstIndex(of: "=") else { return (String(pair), "") }
        return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
    }
}

/// Runs both searches synchronously (the stub never suspends for long; the fuzzer's thread is
/// not a cooperative-pool thread, so blocking it on a semaphore is safe).
func runSearch(_ query: String) {
    let done = DispatchSemaphore(value: 0)
    Task {
        _ = try? await search.metrics(org: .default, query: query)
        _ = try? await search.names(org: .default, query: query)
        done.signal()
    }
    done.wait()
}

/// A metric store holding only names, enough for `BluefloodSearch`: `labelValues` filters the
/// fixed names with the matchers it is given; everything else is empty.
final class StubStore: MetricStore {
    static let names = [
        "one.two.three00.fourA.five0", "one.two.three01.fourB.five1", "one.foo.three00.bar.baz",
        "test.search.0", "test.token.search.0", "a", "a.b", "a.b.c", "x:rate", "x", "ünï.cødé.名前", "",
        "3333333.G1s", "3333333.T200ms:count", "a*b", "a.b?c", "[x]", "{a,b}",
    ]

    func append(_ batch: MetricBatch, org: OrgID) async throws {}
    func select(_ request: SelectRequest) async throws -> [SeriesSamples] { [] }
    func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] { [] }
    func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] { [] }
    func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String] {
        Self.names.filter { candidate in
            matcherSets.isEmpty || matcherSets.contains { set in set.allSatisfy { $0.matches(candidate) } }
        }.sorted()
    }
    func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws {}
    func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] { [:] }
    func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] { [:] }
    func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws {}
    func stats() async -> StoreStats { StoreStats() }
}
