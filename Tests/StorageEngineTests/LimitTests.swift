import BasinModel
import StorageAPI
import StorageEngine
import Testing

@Suite("Select limits")
struct LimitTests {
    @Test("limit errors name the limit that was exceeded", arguments: [
        (maxSeries: 2, maxSamples: 1_000, name: "maxSeries=2"),
        (maxSeries: 1_000, maxSamples: 5, name: "maxSamples=5"),
    ])
    func messagesNameTheLimit(maxSeries: Int, maxSamples: Int, name: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        var batch = MetricBatch()
        for s in 0..<3 {
            let slot = batch.beginSeries(Labels(metricName: "lim", [("s", String(s))]), kind: .gauge)
            for t in 0..<2 { batch.append(seriesSlot: slot, timestampMillis: Int64(t), value: 1) }
        }
        try await store.append(batch, org: .default)
        do {
            _ = try await store.select(SelectRequest(
                org: .default, matchers: [.equal("__name__", "lim")], startMillis: 0, endMillis: 10,
                maxSeries: maxSeries, maxSamples: maxSamples))
            Issue.record("limit not enforced")
        } catch let error as StorageError {
            #expect(error.kind == .limitExceeded)
            #expect(error.message.contains(name), "\(error.message)")
        }
        try await store.close()
    }
}
