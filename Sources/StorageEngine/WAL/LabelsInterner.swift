#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel

/// Label sets already decoded, found again from borrowed bytes without allocating.
///
/// Agents resend the same series every interval, so a write-ahead log repeats each label set
/// in thousands of records. Replay decodes them through this table: a repeat costs one hash
/// of the borrowed bytes and one comparison, and yields the ``Labels`` decoded the first
/// time, whose buffer the head already holds (so the head's own lookup compares by identity,
/// not bytes). Only a new label set allocates.
///
/// Each distinct label set gets a dense id (0, 1, 2, … in first-seen order), which replay
/// uses to find its series ref with an array index instead of a hash lookup in the head.
///
/// The hash is the seeded `Hasher`, so label sets written by a client cannot be chosen to
/// collide. The table grows with the distinct label sets in the log, which the head holds
/// anyway (about 28 bytes per label set here; the label bytes are shared with the head).
struct LabelsInterner {
    /// Interned label sets and their hashes, by id.
    private var labels: [Labels] = []
    private var hashes: [Int] = []
    /// Open addressing, linear probing: index into `labels`, or -1. Power-of-two size, at
    /// most half full.
    private var slots: [Int32] = []

    init() {}

    /// Label sets held.
    var count: Int { labels.count }

    /// The label set with exactly these bytes, decoded once and reused after, and its id.
    ///
    /// - Parameter bytes: the encoded label set (borrowed only for the call).
    /// - Complexity: O(bytes) expected.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (labels: Labels, id: Int32) {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        let hash = hasher.finalize()
        if !slots.isEmpty {
            let mask = slots.count - 1
            var i = hash & mask
            while true {
                let e = Int(slots[i])
                if e < 0 { break }
                if hashes[e] == hash, LabelsInterner.equal(labels[e], bytes) { return (labels[e], Int32(e)) }
                i = (i + 1) & mask
            }
        }
        let made = Labels(uncheckedBytes: Array(bytes))
        insert(made, hash: hash)
        return (made, Int32(labels.count - 1))
    }

    private static func equal(_ labels: Labels, _ bytes: UnsafeRawBufferPointer) -> Bool {
        labels.bytes.withUnsafeBytes { stored in
            guard stored.count == bytes.count else { return false }
            guard let a = stored.baseAddress, let b = bytes.baseAddress else { return true }
            return memcmp(a, b, bytes.count) == 0
        }
    }

    private mutating func insert(_ made: Labels, hash: Int) {
        if (labels.count + 1) * 2 > slots.count {
            grow()
        }
        labels.append(made)
        hashes.append(hash)
        place(labels.count - 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: max(1024, slots.count * 2))
        for e in labels.indices { place(e) }
    }

    private mutating func place(_ e: Int) {
        let mask = slots.count - 1
        var i = hashes[e] & mask
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = Int32(e)
    }
}
