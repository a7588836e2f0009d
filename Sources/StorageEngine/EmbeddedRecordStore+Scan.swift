import BasinModel
import StorageAPI
import Synchronization

extension EmbeddedRecordStore {
    /// Reads the dataset's partitions (those whose time range and statistics can match) and
    /// head, feeding the rows in the time range to the query plan batch by batch.
    public func scan(_ query: RecordQuery) async throws -> RecordQueryResult {
        let plan = try RecordQueryPlan(query, nowNanos: options.nowMillis() &* 1_000_000)
        let (entry, partitions, chunks) = try snapshot(org: query.org, dataset: query.dataset)
        let start = max(query.startNanos, cutoffNanos(entry))
        let end = query.endNanos
        var skipped = 0
        var examined = 0
        var filteredOut = 0
        let conjuncts = plan.pruningConjuncts
        // Newest first: a query that keeps the newest rows (the default order) then builds
        // output records only for rows that make its cut, not for every row read.
        let newestFirst = partitions.sorted { ($0.index.maxTime, $0.sequence) > ($1.index.maxTime, $1.sequence) }
        if !chunks.isEmpty { examined += 1 }
        for chunk in chunks.reversed() {
            let rows = chunk.times.indices.filter { chunk.times[$0] >= start && chunk.times[$0] < end }
                .sorted { chunk.times[$0] > chunk.times[$1] }
            guard !rows.isEmpty else { continue }
            let batch = RecordColumns(
                times: rows.map { chunk.times[$0] },
                column: { (name: String) -> [FieldValue?] in
                    let key = Array(name.utf8)
                    return rows.map { chunk.field(key, $0) }
                },
                record: { chunk.record(rows[$0]) })
            try plan.consume(batch)
        }
        for p in newestFirst where start < end && p.index.maxTime >= start && p.index.minTime < end {
            if PartitionPruning.canSkip(conjuncts, p.index) {
                skipped += 1
                continue
            }
            examined += 1
            try Task.checkCancellation()
            filteredOut += try feed(p, start: start, end: end, conjuncts: conjuncts, to: plan)
        }
        let output = try plan.finish()
        return RecordQueryResult(
            output: output, recordsExamined: plan.recordsExamined + filteredOut, recordsMatched: plan.recordsMatched,
            partitionsSkipped: skipped, partitionsExamined: examined)
    }

    /// Feeds the rows of a partition within `[start, end)`, newest first, that the leading
    /// conjuncts do not rule out on the column bytes; a damaged section fails the query.
    ///
    /// - Returns: the rows in the range the conjuncts ruled out (read, but not fed).
    private func feed(_ p: RecordPartition, start: Int64, end: Int64, conjuncts: [RecordExpr], to plan: RecordQueryPlan) throws -> Int {
        let times = try p.times()
        let lo = lowerBound(times, start), hi = lowerBound(times, end)
        guard lo < hi else { return 0 }
        let reader = PartitionRowReader(partition: p)
        let inRange = (lo..<hi).reversed().map { Int32($0) }
        let rows = PartitionRowFilter.filter(inRange, conjuncts) { reader.fullColumn($0) }
        if let failure = reader.failure { throw failure }
        reader.rows = rows
        guard !rows.isEmpty else { return inRange.count }
        let batch = RecordColumns(
            times: rows.map { times[Int($0)] }, column: { reader.column($0) }, record: { reader.record($0) })
        try plan.consume(batch)
        if let failure = reader.failure { throw failure }
        return inRange.count - rows.count
    }

    private func lowerBound(_ sorted: [Int64], _ value: Int64) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Decodes a partition's columns for one batch, once each, and rebuilds whole rows from them;
/// the batch holds the partition rows listed in ``rows`` (newest first).
private final class PartitionRowReader {
    let partition: RecordPartition
    /// The partition rows of the batch, in batch order.
    var rows: [Int32] = []
    private var columns: [String: FieldColumn] = [:]
    private var shapes: [[Int]?]?
    private var raw: [Int: Record]?
    /// The first read error (the batch sees empty values; the scan throws it after).
    private(set) var failure: StorageError?

    init(partition: RecordPartition) {
        self.partition = partition
    }

    /// Whole-partition values of a column (cached).
    func fullColumn(_ name: String) -> FieldColumn {
        if let c = columns[name] { return c }
        do {
            let c = try partition.column(name)
            columns[name] = c
            return c
        } catch {
            failure = failure ?? error
            let c = FieldColumn.absent(count: partition.index.rows)
            columns[name] = c
            return c
        }
    }

    /// The batch's rows of a column.
    func column(_ name: String) -> FieldColumn {
        fullColumn(name).gather(rows)
    }

    /// The batch's row `i`, whole.
    func record(_ i: Int) -> Record {
        let row = Int(rows[i])
        do {
            if shapes == nil { shapes = try partition.shapes() }
            if let shape = shapes![row] {
                var fields: [RecordField] = []
                fields.reserveCapacity(shape.count)
                for c in shape {
                    let name = partition.index.columns[c].name
                    fields.append(RecordField(name, fullColumn(name)[row] ?? .null))
                }
                return Record(timeNanos: try timeOf(row), fields: fields)
            }
            if raw == nil { raw = Dictionary(try partition.rawRows(), uniquingKeysWith: { a, _ in a }) }
            if let r = raw![row] { return r }
        } catch {
            failure = failure ?? error
        }
        return Record(timeNanos: 0, fields: [])
    }

    private var times: [Int64]?
    private func timeOf(_ row: Int) throws(StorageError) -> Int64 {
        if times == nil { times = try partition.times() }
        return times![row]
    }
}
