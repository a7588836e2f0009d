import BasinModel
import StorageAPI

/// The rows a records query keeps while streaming, in sort order: the best `capacity` rows
/// in a bounded heap (the worst kept row at the root, so a row that cannot make the cut is
/// dropped before its record is built), or every row up to `maxRows` when unbounded.
///
/// Ties keep feed order (the sort is stable): each row carries its sequence number.
final class RecordTopRows {
    private struct Entry {
        var keys: [FieldValue]
        var sequence: Int
        var record: Record
    }

    private let descending: [Bool]
    private let capacity: Int?
    private let maxRows: Int
    private var entries: [Entry] = []

    /// - Parameters:
    ///   - descending: per sort key, whether it sorts descending.
    ///   - capacity: the rows to keep, or nil to keep every row (up to `maxRows`).
    init(descending: [Bool], capacity: Int?, maxRows: Int) {
        self.descending = descending
        self.capacity = capacity
        self.maxRows = maxRows
    }

    /// Whether `a` sorts before `b`.
    private func precedes(_ aKeys: [FieldValue], _ aSequence: Int, _ bKeys: [FieldValue], _ bSequence: Int) -> Bool {
        for i in descending.indices {
            let c = RecordValueOrder.compareSortKey(aKeys[i], bKeys[i], descending: descending[i])
            if c != 0 { return c < 0 }
        }
        return aSequence < bSequence
    }

    /// Whether a row with these keys and sequence number would be kept.
    func admits(_ keys: [FieldValue], sequence: Int) -> Bool {
        guard let capacity else { return true }
        if entries.count < capacity { return true }
        guard let worst = entries.first else { return false }
        return precedes(keys, sequence, worst.keys, worst.sequence)
    }

    /// Keeps a row that ``admits(_:sequence:)`` accepted.
    ///
    /// - Throws: `limitExceeded` when the kept rows would pass `maxRows` (an unbounded sort,
    ///   or a `limit` larger than `maxRows`).
    func insert(_ keys: [FieldValue], sequence: Int, record: Record) throws(StorageError) {
        let entry = Entry(keys: keys, sequence: sequence, record: record)
        let bound = capacity ?? Int.max
        if entries.count < bound, entries.count >= maxRows {
            throw StorageError(
                kind: .limitExceeded,
                message: "query holds more than maxRows=\(maxRows) rows; add a smaller limit (take) after the sort")
        }
        guard let capacity else {
            entries.append(entry)
            return
        }
        if entries.count < capacity {
            entries.append(entry)
            siftUp(entries.count - 1)
        } else if !entries.isEmpty {
            entries[0] = entry
            siftDown(0)
        }
    }

    /// The kept records in sort order.
    func sortedRecords() -> [Record] {
        entries.sorted { precedes($0.keys, $0.sequence, $1.keys, $1.sequence) }.map(\.record)
    }

    // The heap puts the row that sorts last at the root.
    private func worse(_ i: Int, _ j: Int) -> Bool {
        precedes(entries[j].keys, entries[j].sequence, entries[i].keys, entries[i].sequence)
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(child, parent) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var top = parent
            if left < entries.count, worse(left, top) { top = left }
            if right < entries.count, worse(right, top) { top = right }
            if top == parent { return }
            entries.swapAt(parent, top)
            parent = top
        }
    }
}
