import BasinModel
import StorageAPI

/// A small in-memory ``RecordStore`` for route tests until `EmbeddedRecordStore` lands:
/// appends into a dictionary, datasets CRUD, field statistics; `scan` is not used.
actor AxiomTestRecordStore: RecordStore {
    struct Key: Hashable {
        var org: OrgID
        var name: String
    }

    var infos: [Key: DatasetInfo] = [:]
    var stored: [Key: [Record]] = [:]
    var trims: [(name: String, beforeNanos: Int64)] = []
    /// When set, `appendRecords` throws it (to test storage failures).
    var appendError: StorageError?

    func setAppendError(_ error: StorageError?) { appendError = error }

    func records(org: OrgID, dataset: String) -> [Record] {
        stored[Key(org: org, name: dataset)] ?? []
    }

    func appendRecords(_ records: [Record], org: OrgID, dataset: String) async throws {
        if let appendError { throw appendError }
        let key = Key(org: org, name: dataset)
        guard infos[key] != nil || ReservedDataset(rawValue: dataset) != nil else {
            throw StorageError(kind: .notFound, message: "dataset \(dataset) not found")
        }
        stored[key, default: []].append(contentsOf: records)
    }

    func scan(_ query: RecordQuery) async throws -> RecordQueryResult {
        throw StorageError(kind: .internalError, message: "not used")
    }

    func createDataset(org: OrgID, _ spec: DatasetSpec) async throws -> DatasetInfo {
        if let problem = DatasetName.problem(spec.name) { throw StorageError(kind: .badRequest, message: problem) }
        let key = Key(org: org, name: spec.name)
        guard infos[key] == nil, ReservedDataset(rawValue: spec.name) == nil else {
            throw StorageError(kind: .conflict, message: "dataset \(spec.name) exists")
        }
        let info = DatasetInfo(
            name: spec.name, description: spec.description, createdNanos: 1_605_735_020_623_322_799,
            retentionDays: spec.retentionDays, reserved: false)
        infos[key] = info
        return info
    }

    func datasets(org: OrgID) async throws -> [DatasetInfo] {
        let reserved = ReservedDataset.allCases.map {
            DatasetInfo(name: $0.rawValue, description: "", createdNanos: 0, retentionDays: 0, reserved: true)
        }
        return (reserved + infos.filter { $0.key.org == org }.map(\.value)).sorted { $0.name < $1.name }
    }

    func dataset(org: OrgID, name: String) async throws -> DatasetInfo? {
        if ReservedDataset(rawValue: name) != nil {
            return DatasetInfo(name: name, description: "", createdNanos: 0, retentionDays: 0, reserved: true)
        }
        return infos[Key(org: org, name: name)]
    }

    func updateDataset(org: OrgID, name: String, description: String?, retentionDays: Int?) async throws -> DatasetInfo {
        let key = Key(org: org, name: name)
        guard var info = infos[key] else { throw StorageError(kind: .notFound, message: "dataset \(name) not found") }
        if let description { info.description = description }
        if let retentionDays { info.retentionDays = retentionDays }
        infos[key] = info
        return info
    }

    func deleteDataset(org: OrgID, name: String) async throws {
        let key = Key(org: org, name: name)
        guard infos.removeValue(forKey: key) != nil else { throw StorageError(kind: .notFound, message: "dataset \(name) not found") }
        stored[key] = nil
    }

    func trimDataset(org: OrgID, name: String, beforeNanos: Int64) async throws {
        let key = Key(org: org, name: name)
        guard infos[key] != nil else { throw StorageError(kind: .notFound, message: "dataset \(name) not found") }
        trims.append((name, beforeNanos))
        stored[key] = stored[key]?.filter { $0.timeNanos >= beforeNanos }
    }

    func datasetStats(org: OrgID, name: String) async throws -> DatasetStats {
        let records = stored[Key(org: org, name: name)] ?? []
        var types: [String: Set<FieldType>] = [:]
        for record in records {
            for field in record.fields { types[field.name, default: []].insert(field.value.type) }
        }
        return DatasetStats(
            records: records.count, bytes: 0, minTimeNanos: records.map(\.timeNanos).min(), maxTimeNanos: records.map(\.timeNanos).max(),
            fields: types.keys.sorted().map { DatasetFieldInfo(name: $0, types: types[$0]!.sorted()) })
    }

    func recordStats() async -> RecordStoreStats {
        RecordStoreStats(headRecords: stored.values.reduce(0) { $0 + $1.count })
    }
}
