import BasinModel
import BasinTestKit
import NIOCore
import StorageAPI

@testable import DialectBlueflood

/// Builds in-memory stores for the query tests.
enum BluefloodQueryFixture {
    static let org = OrgID("t1234")
    /// A UTC midnight: every granularity's bucket starts here.
    static let day: Int64 = 1_764_547_200_000
    static let minute: Int64 = 60_000

    /// Appends `samples` to one series.
    static func append(
        _ store: InMemoryMetricStore, _ labels: Labels, kind: MetricKind = .unspecified, _ samples: [(Int64, Double)]
    ) async throws {
        var batch = MetricBatch()
        let slot = batch.beginSeries(labels, kind: kind)
        for (t, v) in samples { batch.append(seriesSlot: slot, timestampMillis: t, value: v) }
        try await store.append(batch, org: org)
    }

    static func append(_ store: InMemoryMetricStore, _ name: String, kind: MetricKind = .unspecified, _ samples: [(Int64, Double)]) async throws {
        try await append(store, Labels(metricName: name), kind: kind, samples)
    }

    static func metadata(_ store: InMemoryMetricStore, _ name: String, _ metadata: MetricMetadata) async throws {
        try await store.updateMetricMetadata(org: org, metricName: name, metadata)
    }

    static func reader(_ store: InMemoryMetricStore) -> BluefloodViewReader {
        BluefloodViewReader(store: store, maxSeries: 10_000, maxSamples: 10_000_000)
    }

    static func request(_ from: Int64, _ to: Int64, _ granularity: BluefloodGranularity, select: [BluefloodStat]? = nil) -> BluefloodPlotRequest {
        BluefloodPlotRequest(fromMillis: from, toMillis: to, granularity: granularity, select: select)
    }

    /// A statsd flush of a timer as the intake stores it (average in the metric's own series).
    static func timerFlush(
        _ store: InMemoryMetricStore, _ name: String, at t: Int64,
        count: Double, rate: Double, min: Double, max: Double, sum: Double, std: Double, percentiles: [String: Double] = [:]
    ) async throws {
        try await append(store, name, kind: .summary, [(t, sum / count)])
        for (part, v) in [("count", count), ("rate", rate), ("min", min), ("max", max), ("sum", sum), ("std", std)] {
            try await append(store, BluefloodSeriesNaming.partName(name, part), kind: .summary, [(t, v)])
        }
        for (p, v) in percentiles {
            try await append(store, BluefloodSeriesNaming.partName(name, BluefloodSeriesNaming.timerPercentilePrefix + p), kind: .summary, [(t, v)])
        }
    }

    static func text(_ buffer: ByteBuffer) -> String {
        String(buffer: buffer)
    }
}

extension BluefloodPoint {
    /// The statistic names in order.
    var names: [String] { stats.map(\.name) }
}
