import BasinModel
import StorageAPI
import Synchronization

extension EmbeddedRecordStore {
    public func createDataset(org: OrgID, _ spec: DatasetSpec) async throws -> DatasetInfo {
        if let problem = DatasetName.problem(spec.name) {
            throw StorageError(kind: .badRequest, message: problem)
        }
        guard spec.retentionDays >= 0 else {
            throw StorageError(kind: .badRequest, message: "retentionDays must not be negative")
        }
        await adminLock.lock()
        defer { adminLock.unlock() }
        var catalog = sources.withLock { $0.catalog }
        guard catalog.entry(org: org, name: spec.name) == nil else {
            throw StorageError(kind: .conflict, message: "dataset \"\(spec.name)\" exists")
        }
        let entry = catalog.create(org: org, spec, nowNanos: options.nowMillis() &* 1_000_000)
        try saveAndPublish(catalog)
        return entry.info
    }

    public func datasets(org: OrgID) async throws -> [DatasetInfo] {
        sources.withLock { $0.catalog.all(org: org) }.map(\.info)
    }

    public func dataset(org: OrgID, name: String) async throws -> DatasetInfo? {
        sources.withLock { $0.catalog.entry(org: org, name: name) }?.info
    }

    public func updateDataset(org: OrgID, name: String, description: String?, retentionDays: Int?) async throws -> DatasetInfo {
        if let r = retentionDays, r < 0 {
            throw StorageError(kind: .badRequest, message: "retentionDays must not be negative")
        }
        await adminLock.lock()
        defer { adminLock.unlock() }
        var catalog = sources.withLock { $0.catalog }
        guard var entry = catalog.entry(org: org, name: name) else { throw notFound(name) }
        if let description { entry.description = description }
        if let retentionDays { entry.retentionDays = retentionDays }
        catalog.set(org: org, entry)
        try saveAndPublish(catalog)
        return entry.info
    }

    public func deleteDataset(org: OrgID, name: String) async throws {
        await adminLock.lock()
        defer { adminLock.unlock() }
        var catalog = sources.withLock { $0.catalog }
        guard let entry = catalog.entry(org: org, name: name) else { throw notFound(name) }
        guard !entry.reserved else {
            throw StorageError(kind: .badRequest, message: "dataset \"\(name)\" is reserved and cannot be deleted")
        }
        catalog.remove(org: org, name: name)
        try saveAndPublish(catalog)
        // Its records are invisible from here on; memory and partitions go now or at the next maintenance.
        let key = DatasetKey(org: org, dataset: name, incarnation: entry.incarnation)
        sources.withLock { s in
            s.active.remove(key)
            s.frozen?.remove(key)
        }
    }

    public func trimDataset(org: OrgID, name: String, beforeNanos: Int64) async throws {
        await adminLock.lock()
        defer { adminLock.unlock() }
        var catalog = sources.withLock { $0.catalog }
        guard var entry = catalog.entry(org: org, name: name) else { throw notFound(name) }
        entry.trimmedBeforeNanos = max(entry.trimmedBeforeNanos, beforeNanos)
        catalog.set(org: org, entry)
        try saveAndPublish(catalog)
    }

    public func datasetStats(org: OrgID, name: String) async throws -> DatasetStats {
        let (entry, partitions, heads) = try snapshot(org: org, dataset: name)
        let cutoff = cutoffNanos(entry)
        var stats = DatasetStats()
        var types: [String: Set<FieldType>] = [:]
        func noteTime(_ t: Int64) {
            stats.minTimeNanos = min(stats.minTimeNanos ?? t, t)
            stats.maxTimeNanos = max(stats.maxTimeNanos ?? t, t)
        }
        for p in partitions where p.index.maxTime >= cutoff {
            stats.records += p.index.rows
            stats.bytes += p.fileBytes
            noteTime(max(p.index.minTime, cutoff))
            noteTime(p.index.maxTime)
            for c in p.index.columns {
                for t in c.stats.types { types[c.name, default: []].insert(t) }
            }
            if p.index.rawRows.storedLength > 0 {
                for (_, r) in try p.rawRows() {
                    for f in r.fields { types[f.name, default: []].insert(f.value.type) }
                }
            }
        }
        for chunk in heads {
            for i in 0..<chunk.count where chunk.times[i] >= cutoff {
                stats.records += 1
                noteTime(chunk.times[i])
                for f in chunk.record(i).fields { types[f.name, default: []].insert(f.value.type) }
            }
            stats.bytes += chunk.bytes.count
        }
        stats.fields = types.keys.sorted().map { DatasetFieldInfo(name: $0, types: types[$0]!.sorted()) }
        return stats
    }

    /// The dataset's entry, its partitions and its head chunks (frozen and live), taken at once.
    func snapshot(org: OrgID, dataset: String) throws -> (DatasetEntry, [RecordPartition], [RecordHeadChunk]) {
        let result = sources.withLock { s -> (DatasetEntry, [RecordPartition], [RecordHeadChunk])? in
            guard let entry = s.catalog.entry(org: org, name: dataset) else { return nil }
            let key = DatasetKey(org: org, dataset: dataset, incarnation: entry.incarnation)
            let partitions = s.partitions.filter { $0.index.key == key }
            let chunks = (s.frozen?.datasets[key]?.snapshot ?? []) + (s.active.datasets[key]?.snapshot ?? [])
            return (entry, partitions, chunks)
        }
        guard let result else { throw notFound(dataset) }
        return result
    }

    private func saveAndPublish(_ catalog: DatasetCatalog) throws {
        do throws(FileIOError) {
            try catalog.save(directory: directory)
        } catch {
            throw WriteAheadLog.classify(error, "cannot write the dataset catalog")
        }
        sources.withLock { $0.catalog = catalog }
    }

    private func notFound(_ name: String) -> StorageError {
        StorageError(kind: .notFound, message: "dataset \"\(name)\" not found")
    }
}
