import BasinModel
import Foundation
import StorageAPI

@testable import DialectBlueflood

/// The server clock of intake tests (2023-11-14T22:13:20Z).
let intakeNow: Int64 = 1_700_000_000_000

/// Options at ``intakeNow``.
func intakeOptions(now: Int64 = intakeNow) -> BluefloodIntakeOptions {
    BluefloodIntakeOptions(nowMillis: now)
}

/// The five intake endpoints, for tables.
enum IntakeEndpoint: String, Sendable, CaseIterable {
    case ingest, multi, aggregated, aggregatedMulti, events
}

/// One decoded sample, for comparisons: tenant, the series as text, kind, time, value.
struct DecodedSample: Equatable, CustomStringConvertible {
    var tenant: String
    var series: String
    var kind: MetricKind
    var timestampMillis: Int64
    var value: Double

    var description: String { "\(tenant) \(series) \(kind.name) \(timestampMillis) \(value)" }
}

/// The outcome of any endpoint, reduced to what tests compare.
enum IntakeOutcome: Equatable {
    case stored(BluefloodIntake)
    case event(BluefloodEvent)
    case failed(BluefloodIntakeFailure)

    var failure: BluefloodIntakeFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }

    var intake: BluefloodIntake? {
        if case .stored(let intake) = self { return intake }
        return nil
    }

    static func == (lhs: IntakeOutcome, rhs: IntakeOutcome) -> Bool {
        switch (lhs, rhs) {
        case (.failed(let a), .failed(let b)): a == b
        case (.event(let a), .event(let b)): a == b
        case (.stored(let a), .stored(let b)): a.samples == b.samples && a.errors == b.errors
        default: false
        }
    }
}

/// Decodes `body` at `endpoint` with path tenant `tenant`.
func decodeIntake(_ endpoint: IntakeEndpoint, _ body: String, tenant: String = "acTEST", options: BluefloodIntakeOptions = intakeOptions()) -> IntakeOutcome {
    decodeIntake(endpoint, Array(body.utf8), tenant: tenant, options: options)
}

/// Decodes raw bytes at `endpoint`.
func decodeIntake(_ endpoint: IntakeEndpoint, _ body: [UInt8], tenant: String = "acTEST", options: BluefloodIntakeOptions = intakeOptions()) -> IntakeOutcome {
    let decoder = BluefloodIngestDecoder(options: options)
    return body.withUnsafeBytes { raw -> IntakeOutcome in
        let result: Result<BluefloodIntake, BluefloodIntakeFailure>
        switch endpoint {
        case .ingest: result = decoder.decodeMetrics(raw, pathTenant: tenant, multiTenant: false)
        case .multi: result = decoder.decodeMetrics(raw, pathTenant: tenant, multiTenant: true)
        case .aggregated: result = decoder.decodeAggregated(raw, pathTenant: tenant, multi: false)
        case .aggregatedMulti: result = decoder.decodeAggregated(raw, pathTenant: tenant, multi: true)
        case .events:
            switch decoder.decodeEvent(raw, pathTenant: tenant) {
            case .success(let event): return .event(event)
            case .failure(let failure): return .failed(failure)
            }
        }
        switch result {
        case .success(let intake): return .stored(intake)
        case .failure(let failure): return .failed(failure)
        }
    }
}

extension BluefloodIntake {
    /// Every sample, tenants in name order, samples in batch order.
    var samples: [DecodedSample] {
        var result: [DecodedSample] = []
        for tenant in batches.keys.sorted() {
            let batch = batches[tenant]!
            for i in 0..<batch.sampleCount {
                let slot = Int(batch.seriesSlots[i])
                result.append(DecodedSample(
                    tenant: tenant, series: batch.labels(at: slot).description, kind: batch.kinds[slot],
                    timestampMillis: batch.timestampsMillis[i], value: batch.values[i]))
            }
        }
        return result
    }

    /// The value of series `name` (metric name only) in `tenant`, when exactly one sample has it.
    func value(_ name: String, tenant: String, labels: Labels? = nil) -> Double? {
        let wanted = labels ?? Labels(metricName: name)
        guard let batch = batches[tenant] else { return nil }
        let found = (0..<batch.sampleCount).filter { batch.labels(at: Int(batch.seriesSlots[$0])) == wanted }
        return found.count == 1 ? batch.values[found[0]] : nil
    }

    /// The kind of series `name` in `tenant`.
    func kind(_ name: String, tenant: String) -> MetricKind? {
        guard let batch = batches[tenant], let slot = batch.series.firstIndex(of: Labels(metricName: name)) else { return nil }
        return batch.kinds[slot]
    }
}

/// An error entry with the fields tests usually vary.
func entry(_ tenant: String, _ timestamp: Int64?, _ metricName: String, _ source: String?, _ message: String) -> BluefloodErrorEntry {
    BluefloodErrorEntry(tenantId: tenant, timestamp: timestamp, metricName: metricName, source: source, message: message)
}

/// The out-of-bounds message with the default window.
let outOfBounds = Blueflood.outOfBoundsMessage()

/// A fixture under `Tests/DialectBluefloodTests/Fixtures/Intake/`.
func intakeFixture(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Intake/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
}

/// One basic metric object for `/ingest` bodies.
func metricJSON(_ name: String, value: String = "1", time: Int64 = intakeNow, ttl: Int64 = 172_800, extra: String = "") -> String {
    "{\"metricName\":\"\(name)\",\"metricValue\":\(value),\"collectionTime\":\(time),\"ttlInSeconds\":\(ttl)\(extra)}"
}
