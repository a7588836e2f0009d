import BasinHTTP
import Hummingbird
import Prometheus
import StorageAPI
import Synchronization

/// `/metrics` (Prometheus exposition of Basin's own metrics), `/healthz` and `/readyz`.
struct SelfMonitoringRoutes {
    let registry: PrometheusCollectorRegistry
    let store: any MetricStore
    let records: any RecordStore
    let lifecycle: ServerLifecycle

    func register(on router: Router<BasinRequestContext>) {
        router.get("metrics") { _, _ -> Response in
            let stats = await store.stats()
            lifecycle.updateGauges(stats)
            lifecycle.updateGauges(await records.recordStats())
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 << 10)
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("healthz") { _, _ -> Response in
            text(.ok, "ok\n")
        }
        router.get("readyz") { _, _ -> Response in
            lifecycle.isReady ? text(.ok, "ready\n") : text(.serviceUnavailable, "not ready: shutting down\n")
        }
    }

    private func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Readiness and store gauges shared between routes and the serve loop.
final class ServerLifecycle: Sendable {
    private let ready = Mutex(true)
    private let headSeries: Gauge
    private let headSamples: Gauge
    private let walBytes: Gauge
    private let blocks: Gauge
    private let blockBytes: Gauge
    private let blockSamples: Gauge
    private let recordsHead: Gauge
    private let recordPartitions: Gauge
    private let recordPartitionBytes: Gauge
    private let recordsWALBytes: Gauge

    init(registry: PrometheusCollectorRegistry) {
        // Names are `metricName_unitName` joined; counts have no unit, so the unit is the noun.
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help))
        }
        headSeries = gauge("basin_store_head", "series", "Series in the in-memory head.")
        headSamples = gauge("basin_store_head", "samples", "Samples in the in-memory head.")
        walBytes = gauge("basin_store_wal", "bytes", "Bytes of write-ahead log on disk.")
        blocks = gauge("basin_store", "blocks", "Blocks on disk.")
        blockBytes = gauge("basin_store_block", "bytes", "Bytes of blocks on disk.")
        blockSamples = gauge("basin_store_block", "samples", "Samples held in blocks on disk.")
        recordsHead = gauge("basin_records_head", "records", "Records (events, logs) in memory, not yet sealed.")
        recordPartitions = gauge("basin_records", "partitions", "Sealed record partitions on disk.")
        recordPartitionBytes = gauge("basin_records_partition", "bytes", "Bytes of sealed record partitions on disk.")
        recordsWALBytes = gauge("basin_records_wal", "bytes", "Bytes of the records write-ahead log on disk.")
    }

    var isReady: Bool { ready.withLock { $0 } }

    func markStopping() { ready.withLock { $0 = false } }

    func updateGauges(_ stats: StoreStats) {
        headSeries.set(Double(stats.headSeries))
        headSamples.set(Double(stats.headSamples))
        walBytes.set(Double(stats.walBytes))
        blocks.set(Double(stats.blocks))
        blockBytes.set(Double(stats.blockBytes))
        blockSamples.set(Double(stats.blockSamples))
    }

    func updateGauges(_ stats: RecordStoreStats) {
        recordsHead.set(Double(stats.headRecords))
        recordPartitions.set(Double(stats.partitions))
        recordPartitionBytes.set(Double(stats.partitionBytes))
        recordsWALBytes.set(Double(stats.walBytes))
    }
}
