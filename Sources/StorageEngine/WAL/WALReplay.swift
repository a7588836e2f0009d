import BasinModel
import Logging

/// Rebuilds state from the write-ahead log at start-up.
///
/// Segments are read whole and decoded in order into one reused ``MetricBatch``. A segment
/// that holds only its header is deleted, unless it is the highest.
/// - A torn or corrupt tail in the **last** segment (short header or payload, CRC mismatch,
///   malformed record) is what a crash mid-write leaves: the segment is truncated at the last
///   good record, a warning is logged, and replay succeeds.
/// - A defect in an **earlier** segment cannot come from a crash: an error is logged, replay
///   stops there keeping what was read, the bad segment's original bytes and every later
///   segment are moved to `wal/quarantine-<unix seconds>/` for an operator, and the bad
///   segment is truncated at its last good record, so later starts replay exactly what this
///   one did and new records are never written behind unreadable ones.
enum WALReplay {
    struct Summary {
        /// The highest segment index still in the log (0 when there is none).
        var lastSegmentIndex = 0
        /// Bytes in the segments kept.
        var bytes = 0
        var segments = 0
        var records = 0
        var samples = 0
    }

    /// Replays the log into `head` (empty or not): the start-up path.
    ///
    /// Same records, order and defect handling as ``run(directory:logger:progressEveryRecords:apply:)``
    /// with `head.apply`, but a series seen in an earlier record is found by its label set's
    /// interner id (``ReplaySeriesRefs``) instead of hashing its labels again in the head.
    static func run(
        directory: String, logger: Logger, progressEveryRecords: Int, into head: Head
    ) throws(FileIOError) -> Summary {
        var refs = ReplaySeriesRefs()
        return try replay(directory: directory, logger: logger, progressEveryRecords: progressEveryRecords) { batch, org, ids in
            refs.apply(batch, org: org, ids: ids, to: head)
        }
    }

    /// Replays the log, calling `apply` with each good record in log order.
    static func run(
        directory: String, logger: Logger, progressEveryRecords: Int,
        apply: (MetricBatch, OrgID) -> Void
    ) throws(FileIOError) -> Summary {
        try replay(directory: directory, logger: logger, progressEveryRecords: progressEveryRecords) { batch, org, _ in
            apply(batch, org)
        }
    }

    /// `apply` gets each record with the ``LabelsInterner`` id of each of its series slots.
    private static func replay(
        directory: String, logger: Logger, progressEveryRecords: Int,
        apply: (MetricBatch, OrgID, [Int32]) -> Void
    ) throws(FileIOError) -> Summary {
        var replay = Replay(directory: directory, logger: logger, progressEvery: max(1, progressEveryRecords))
        return try replaySegments(directory: directory, logger: logger) { summary, bytes, index in
            swap(&summary, &replay.summary)
            defer { swap(&summary, &replay.summary) }
            return replay.segment(bytes, index: index, apply: apply)
        }
    }

    /// Reads every segment in order through `decode`, which applies the good records of one
    /// segment's bytes (counting them in the summary) and says where the good part ends; repairs
    /// a torn tail of the last segment and quarantines what follows a defect in an earlier one.
    static func replaySegments(
        directory: String, logger: Logger,
        decode: (inout Summary, [UInt8], Int) -> (goodEnd: Int, defect: WALRecordDefect?)
    ) throws(FileIOError) -> Summary {
        let indices = try Directory.list(directory).compactMap(WALSegment.index(ofName:)).sorted()
        var summary = Summary()
        summary.lastSegmentIndex = indices.last ?? 0
        let clock = ContinuousClock()
        let started = clock.now
        var removedEmpty = 0
        defer { if removedEmpty > 0 { try? Directory.sync(directory) } }
        for (position, index) in indices.enumerated() {
            let path = directory + "/" + WALSegment.name(index)
            let file = try PosixFile.openReadWrite(path, create: false)
            defer { file.close() }
            let bytes = try file.readAll()
            let (goodEnd, defect) = decode(&summary, bytes, index)
            if defect == nil, bytes.count == WALSegment.headerSize, position < indices.count - 1 {
                // No record: a start, or a rotation, that no write followed. Nothing to keep,
                // and kept it would stay (only a cut removes segments, and an idle store never
                // cuts), one more file for every restart. The highest segment stays even when
                // empty: the numbering must never go back (the records store's seal marker
                // names a segment, and the next segment is numbered after the highest).
                try Directory.remove(path)
                removedEmpty += 1
                continue
            }
            summary.segments += 1
            guard let defect else {
                summary.bytes += bytes.count
                logger.info("replayed write-ahead log segment", metadata: [
                    "segment": "\(WALSegment.name(index))", "of": "\(indices.count)",
                    "records": "\(summary.records)", "samples": "\(summary.samples)",
                ])
                continue
            }
            if position == indices.count - 1 {
                try repairTornTail(file: file, bytes: bytes, goodEnd: goodEnd, defect: defect, directory: directory, logger: logger)
                summary.bytes += goodEnd
            } else {
                try quarantine(
                    file: file, bytes: bytes, goodEnd: goodEnd, defect: defect, index: index,
                    later: Array(indices[(position + 1)...]), directory: directory, logger: logger)
                summary.bytes += goodEnd > WALSegment.headerSize ? goodEnd : 0
                break
            }
        }
        logSummary(summary, seconds: seconds(clock.now - started), logger: logger)
        return summary
    }

    /// Replay state carried across segments: the reused batch, counters, progress logging.
    private struct Replay {
        let directory: String
        let logger: Logger
        let progressEvery: Int
        var summary = Summary()
        var batch = MetricBatch()
        /// Label sets seen in earlier segments (a series usually spans many).
        var interner = LabelsInterner()
        var nextProgress = 0

        init(directory: String, logger: Logger, progressEvery: Int) {
            self.directory = directory
            self.logger = logger
            self.progressEvery = progressEvery
            self.nextProgress = progressEvery
        }

        /// Applies every good record of one segment; returns where the good part ends and the defect, if any.
        mutating func segment(
            _ bytes: [UInt8], index: Int, apply: (MetricBatch, OrgID, [Int32]) -> Void
        ) -> (goodEnd: Int, defect: WALRecordDefect?) {
            guard bytes.count >= WALSegment.headerSize else { return (0, .truncated(offset: 0)) }
            guard WALSegment.isKnownHeader(bytes) else {
                return (0, .malformed(offset: 0, reason: "bad segment header"))
            }
            return bytes.withUnsafeBytes { raw in
                var decoder = WALRecordDecoder(bytes: raw, startOffset: WALSegment.headerSize)
                swap(&decoder.interner, &interner)
                defer { swap(&decoder.interner, &interner) }
                while true {
                    do throws(WALRecordDefect) {
                        guard let org = try decoder.next(into: &batch) else { return (decoder.offset, nil) }
                        apply(batch, org, decoder.seriesIDs)
                    } catch {
                        return (decoder.offset, error)
                    }
                    summary.records += 1
                    summary.samples += batch.sampleCount
                    if summary.records >= nextProgress {
                        nextProgress += progressEvery
                        logger.info("replaying write-ahead log", metadata: [
                            "records": "\(summary.records)", "samples": "\(summary.samples)",
                            "segment": "\(WALSegment.name(index))",
                        ])
                    }
                }
            }
        }
    }

    /// The last segment ends in a torn or corrupt record: cut it at the last good record.
    private static func repairTornTail(
        file: PosixFile, bytes: [UInt8], goodEnd: Int, defect: WALRecordDefect, directory: String, logger: Logger
    ) throws(FileIOError) {
        logger.warning("write-ahead log tail is torn or corrupt; truncating at the last good record", metadata: [
            "segment": "\(file.path)", "defect": "\(defect)", "keptBytes": "\(goodEnd)",
            "droppedBytes": "\(bytes.count - goodEnd)",
        ])
        if goodEnd == 0 {
            try Directory.remove(file.path)
        } else {
            try file.truncate(to: goodEnd)
            try file.sync()
        }
        try Directory.sync(directory)
    }

    /// An earlier segment is corrupt: keep a copy and every later segment aside, cut the bad one.
    private static func quarantine(
        file: PosixFile, bytes: [UInt8], goodEnd: Int, defect: WALRecordDefect, index: Int, later: [Int],
        directory: String, logger: Logger
    ) throws(FileIOError) {
        let folder = directory + "/quarantine-\(Directory.unixSeconds())"
        logger.error("write-ahead log segment is corrupt; replay stopped there, later segments quarantined", metadata: [
            "segment": "\(file.path)", "defect": "\(defect)", "keptBytes": "\(goodEnd)", "quarantine": "\(folder)",
            "segmentsQuarantined": "\(later.count + 1)",
        ])
        try Directory.create(folder)
        let copy = try PosixFile.openReadWrite(folder + "/" + WALSegment.name(index), create: true)
        try copy.write(bytes, at: 0)
        try copy.sync()
        copy.close()
        for other in later {
            try Directory.rename(directory + "/" + WALSegment.name(other), folder + "/" + WALSegment.name(other))
        }
        try Directory.sync(folder)
        if goodEnd <= WALSegment.headerSize {
            try Directory.remove(file.path)
        } else {
            try file.truncate(to: goodEnd)
            try file.sync()
        }
        try Directory.sync(directory)
    }

    private static func logSummary(_ summary: Summary, seconds: Double, logger: Logger) {
        let rate = seconds > 0 ? Double(summary.samples) / seconds : 0
        logger.info("write-ahead log replayed", metadata: [
            "segments": "\(summary.segments)", "records": "\(summary.records)", "samples": "\(summary.samples)",
            "seconds": "\(format3(seconds))", "samplesPerSecond": "\(Int(rate))",
        ])
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func format3(_ x: Double) -> String {
        let millis = Int((x * 1000).rounded())
        let frac = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
