import BasinModel
import BasinTestKit
import Logging
import StorageAPI
@testable import StorageEngine

/// Random records with every value type, nested objects and arrays, repeated names included.
struct RandomRecords {
    var rng: SeededGenerator

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
    }

    mutating func string() -> String {
        let alphabet = Array("abcxyz _-.é✓0123")
        return String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    mutating func value(depth: Int = 0) -> FieldValue {
        switch Int.random(in: 0..<(depth < 3 ? 9 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case 3: return .float(Double.random(in: -1e6...1e6, using: &rng))
        case 4, 5: return .string(string())
        case 6: return .timestamp(Int64.random(in: 0...2_000_000_000_000_000_000, using: &rng))
        case 7: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0...3, using: &rng)).map { _ in RecordField(string(), value(depth: depth + 1)) })
        }
    }

    /// A record at `time` with fields drawn from a small name pool (so columns repeat).
    mutating func record(time: Int64) -> Record {
        let names = ["status", "path", "latency", "user", "geo", "tags", "x"]
        var fields: [RecordField] = []
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            let name = names.randomElement(using: &rng)!
            // Mostly unique names; sometimes a repeat, which a partition keeps whole.
            if fields.contains(where: { $0.name == name }) && Int.random(in: 0..<10, using: &rng) != 0 { continue }
            fields.append(RecordField(name, value()))
        }
        return Record(timeNanos: time, fields: fields)
    }
}

enum RecordStoreTesting {
    static let org = OrgID("acme")
    static let logger = Logger(label: "basin.records.test")

    static func open(_ dir: TemporaryDirectory, seal: Bool = false, now: Int64 = 1_800_000_000_000) async throws -> EmbeddedRecordStore {
        var options = EmbeddedStoreOptions()
        options.maintenanceAfterEveryAppend = seal
        options.nowMillis = { now }
        options.retentionMillis = 3650 * 86_400_000
        return try await EmbeddedRecordStore.open(directory: dir.path, options: options, logger: logger)
    }

    /// Every record of a dataset, oldest first (ties by the order the store returns).
    static func all(_ store: EmbeddedRecordStore, dataset: String, stages: [RecordStage] = []) async throws -> [Record] {
        let result = try await store.scan(RecordQuery(
            org: org, dataset: dataset, startNanos: .min, endNanos: .max, stages: stages, defaultLimit: 1_000_000))
        guard case .records(let records) = result.output else { return [] }
        return records.reversed()
    }

    static func table(_ store: EmbeddedRecordStore, dataset: String, stages: [RecordStage]) async throws -> RecordQueryResult {
        try await store.scan(RecordQuery(org: org, dataset: dataset, startNanos: .min, endNanos: .max, stages: stages))
    }
}
