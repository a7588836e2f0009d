import BasinModel
import StorageAPI
import Synchronization

extension EmbeddedMetricStore {
    /// Merges what every source holds for a series: oldest block first, then the head being
    /// cut, then the live head; on a repeated timestamp the later source wins.
    private struct Merged {
        var kind: MetricKind
        var timestamps: [Int64]
        var values: [Double]
    }

    private func snapshot() -> Sources { sources.withLock { $0 } }

    private static func heads(_ s: Sources) -> [Head] {
        s.frozen.map { [$0, s.active] } ?? [s.active]
    }

    private static func fail(_ error: BlockError) -> StorageError {
        StorageError(kind: .internalError, message: "\(error)")
    }

    /// Matching series' samples in the range, sorted by labels (Prometheus order).
    ///
    /// - Throws: ``StorageError`` `limitExceeded` naming `maxSeries` or `maxSamples`;
    ///   `internalError` when a block's chunk fails its checksum.
    public func select(_ request: SelectRequest) async throws -> [SeriesSamples] {
        let s = snapshot()
        let expiry = expiry(for: request)
        var merged: [Labels: Merged] = [:]
        var read = 0
        func add(_ labels: Labels, _ kind: MetricKind, _ ts: [Int64], _ vs: [Double]) throws(StorageError) {
            read += ts.count
            if read > request.maxSamples {
                throw StorageError(kind: .limitExceeded, message: "query would read more than maxSamples=\(request.maxSamples) samples")
            }
            if var m = merged[labels] {
                merged[labels] = nil
                SampleMerge.merge(timestamps: &m.timestamps, values: &m.values, newerTimestamps: ts, newerValues: vs)
                merged[labels] = m
            } else {
                if merged.count == request.maxSeries {
                    throw StorageError(kind: .limitExceeded, message: "query would read more than maxSeries=\(request.maxSeries) series")
                }
                merged[labels] = Merged(kind: kind, timestamps: ts, values: vs)
            }
        }
        var ts: [Int64] = []
        var vs: [Double] = []
        for block in s.blocks
        where block.meta.minTimeMillis <= request.endMillis && block.meta.maxTimeMillis >= request.startMillis {
            for id in block.matchingIDs(org: request.org, matchers: request.matchers) {
                let entry: Block.SeriesEntry
                do throws(BlockError) {
                    entry = try block.entry(Int(id))
                    let start = expiry.startMillis(for: entry.labels, from: request.startMillis)
                    guard entry.overlaps(startMillis: start, endMillis: request.endMillis) else { continue }
                    ts.removeAll(keepingCapacity: true)
                    vs.removeAll(keepingCapacity: true)
                    try block.readSamples(entry, startMillis: start, endMillis: request.endMillis, timestamps: &ts, values: &vs)
                    [Tombstone].remove(s.tombstones.applying(to: block.meta, entry), timestamps: &ts, values: &vs)
                } catch {
                    throw Self.fail(error)
                }
                if !ts.isEmpty { try add(entry.labels, entry.kind, ts, vs) }
            }
        }
        for head in Self.heads(s) {
            for series in try head.select(request, expiry: expiry) {
                try add(series.labels, series.kind, series.timestampsMillis, series.values)
            }
        }
        return merged.map { SeriesSamples(labels: $0.key, kind: $0.value.kind, timestampsMillis: $0.value.timestamps, values: $0.value.values) }
            .sorted { LabelsOrder.precedes($0.labels, $1.labels) }
    }

    /// Label sets of matching series with a sample in the range, unsorted and unique.
    private func labelSets(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) throws -> Set<Labels> {
        let s = snapshot()
        let expiry = expiry(org: org)
        var out = Set<Labels>()
        for block in s.blocks where block.meta.minTimeMillis <= endMillis && block.meta.maxTimeMillis >= startMillis {
            for id in block.matchingIDs(org: org, anyOf: matcherSets) {
                do throws(BlockError) {
                    let entry = try block.entry(Int(id))
                    let startMillis = expiry.startMillis(for: entry.labels, from: startMillis)
                    guard entry.overlaps(startMillis: startMillis, endMillis: endMillis) else { continue }
                    let deleting = s.tombstones.applying(to: block.meta, entry)
                    if !deleting.isEmpty {
                        // Listed only if a sample in the range survives the deletions.
                        var ts: [Int64] = []
                        var vs: [Double] = []
                        try block.readSamples(entry, startMillis: startMillis, endMillis: endMillis, timestamps: &ts, values: &vs)
                        [Tombstone].remove(deleting, timestamps: &ts, values: &vs)
                        if ts.isEmpty { continue }
                    }
                    out.insert(entry.labels)
                } catch {
                    throw Self.fail(error)
                }
            }
        }
        for head in Self.heads(s) {
            out.formUnion(head.labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis, expiry: expiry))
        }
        return out
    }

    /// Label sets of matching series with a sample in the range, sorted by labels.
    public func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
        try labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
            .sorted(by: LabelsOrder.precedes)
    }

    /// Sorted label names (byte order) of matching series with a sample in the range.
    public func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        var names = Set<String>()
        for labels in try labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            labels.forEach { name, _ in names.insert(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Sorted values (byte order) of one label over matching series with a sample in the range.
    public func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String] {
        var values = Set<String>()
        for labels in try labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            if let value = labels[name] { values.insert(value) }
        }
        return values.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The kind first written for each metric name of the org: the table kept with the blocks,
    /// then the heads (being cut, then live); a name found in neither takes the kind of its
    /// first series in the oldest block (only when the table was damaged).
    public func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
        let s = snapshot()
        var kinds = blockKinds.withLock { table -> [String: MetricKind] in
            let all = table[org] ?? [:]
            guard let metricName else { return all }
            return all[metricName].map { [metricName: $0] } ?? [:]
        }
        for head in Self.heads(s) {
            for (name, kind) in head.metricKinds(org: org, metricName: metricName) where kinds[name] == nil {
                kinds[name] = kind
            }
        }
        for block in s.blocks {
            var found: [(String, Int)] = []
            block.forEachValue(org: org, name: Labels.metricNameKey) { name, ids in
                if metricName == nil || metricName == name, kinds[name] == nil, let first = ids().first { found.append((name, Int(first))) }
            }
            for (name, id) in found {
                do throws(BlockError) {
                    kinds[name] = try block.entry(id).kind
                } catch {
                    throw Self.fail(error)
                }
            }
        }
        return kinds
    }
}

extension EmbeddedMetricStore {
    /// Metadata by metric name, optionally for one name only.
    public func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] {
        metadata.withLock { table in
            let all = table[org] ?? [:]
            guard let metricName else { return all }
            return all[metricName].map { [metricName: $0] } ?? [:]
        }
    }

    /// Applies the update and, when anything changed, makes it durable before returning.
    public func updateMetricMetadata(org: OrgID, metricName: String, _ update: MetricMetadata) async throws {
        try await updateMetricMetadata(org: org, [metricName: update])
    }

    /// Applies several names' updates with one synced append to `blocks/metric-metadata.journal`
    /// (none when nothing changed); a journal grown past the snapshot is folded into a new one.
    public func updateMetricMetadata(org: OrgID, _ updates: [String: MetricMetadata]) async throws {
        for (name, update) in updates { try MetricMetadataLimits.check(name, update) }
        await metadataLock.lock()
        defer { metadataLock.unlock() }
        var table = metadata.withLock { $0 }
        var changes: [String: MetricMetadata] = [:]
        for (name, update) in updates {
            let current = table[org]?[name] ?? MetricMetadata()
            let merged = current.merging(update)
            if merged != current {
                table[org, default: [:]][name] = merged
                changes[name] = merged
            }
        }
        guard !changes.isEmpty else { return }
        do throws(FileIOError) {
            let files = metadataFiles.withLock { $0 }
            let journal = try MetricMetadataFile.appendToJournal(
                MetricMetadataFile.journalFrame([org: changes]), at: files.journalBytes, directory: blocksDirectory)
            if journal > max(files.snapshotBytes, MetricMetadataFile.journalCompactionBytes) {
                let snapshot = try MetricMetadataFile.store(table, directory: blocksDirectory)
                metadataFiles.withLock { $0 = (snapshot, 0) }
            } else {
                metadataFiles.withLock { $0.journalBytes = journal }
            }
        } catch {
            throw StorageError(kind: .internalError, message: "cannot store metric metadata: \(error)")
        }
        metadata.withLock { $0 = table }
        let orgTTLs = Self.ttls(of: [org: table[org] ?? [:]])[org]
        ttls.withLock { $0[org] = orgTTLs }
    }

    /// The TTLs in a metadata table, by organisation and metric name (names without one left out).
    static func ttls(of table: [OrgID: [String: MetricMetadata]]) -> [OrgID: [String: Int64]] {
        var out: [OrgID: [String: Int64]] = [:]
        for (org, names) in table {
            let ttls = names.compactMapValues(\.ttlSeconds)
            if !ttls.isEmpty { out[org] = ttls }
        }
        return out
    }

    /// What a read of `org` leaves out now (``MetricExpiry``).
    func expiry(org: OrgID) -> MetricExpiry {
        guard let ttls = ttls.withLock({ $0[org] }) else { return .none }
        return MetricExpiry(ttlSecondsByName: ttls, nowMillis: options.nowMillis())
    }

    /// ``expiry(org:)`` for a select, or none when the request reads past expiry.
    func expiry(for request: SelectRequest) -> MetricExpiry {
        request.honoursExpiry ? expiry(org: request.org) : .none
    }
}
