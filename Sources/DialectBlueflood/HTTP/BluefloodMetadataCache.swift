import BasinModel
import BasinWire
import StorageAPI
import Synchronization

/// The TTL and unit this process last wrote for each basic metric name, per organisation, so
/// that a steady stream of the same names with the same TTL and unit costs no metadata write,
/// and no `String` or `MetricMetadata` per name.
///
/// The ingest route asks ``changes(_:org:)`` which names of a request are new or changed, writes
/// only those, and after the store accepted them calls ``commit(_:org:)``. A name is looked up
/// by its bytes, reusing the hash the decoder's name table already computed.
///
/// What the cache holds mirrors the store's merge rules: a request without a unit leaves the
/// stored unit as it is, so it matches whatever unit was written before. It only knows this
/// process's writes: after a restart every name is written once more, and a unit or type another
/// dialect writes for the same name is not noticed (the aggregated Blueflood routes call
/// ``forget(_:org:)`` for theirs).
///
/// Concurrent requests that write the same name race in the store; a commit whose names were
/// written or forgotten by another request since its ``changes(_:org:)`` marks them unknown
/// instead, so the next request writes them again rather than trust either value.
///
/// Bounded: past ``capacity`` names and units in all it forgets everything and starts over.
public final class BluefloodMetadataCache: Sendable {
    /// The names of one organisation, numbered densely, with what was last written for each.
    struct Entries {
        var names = ByteStringTable()
        /// Per name id: the TTL last written, or ``unknownTTL``.
        var ttlSeconds: [Int64] = []
        /// Per name id: the unit last written (an id in ``units``), or -1 when none was.
        var unitIds: [Int32] = []
        /// Per name id: the ``State/epoch`` of the commit or forget that last set it.
        var epochs: [UInt64] = []
        var units = ByteStringTable()
    }

    struct State {
        var orgs: [OrgID: Entries] = [:]
        /// Names and units held, across organisations.
        var count = 0
        /// Counts commits, forgets and clears.
        var epoch: UInt64 = 0
        /// The epoch of the last clear.
        var clearedEpoch: UInt64 = 0
    }

    /// What one request must write for one organisation, from ``changes(_:org:)``.
    public struct Changes: Sendable {
        /// The updates to write: the names the cache does not know, or knows with another TTL
        /// or unit.
        public let updates: [String: MetricMetadata]
        /// The request's metadata and the ids of the names in ``updates``.
        let basic: BluefloodBasicMetadata
        let changed: [Int]
        /// The cache's epoch when the names were compared.
        let epoch: UInt64

        /// Whether nothing needs writing.
        public var isEmpty: Bool { changed.isEmpty }
    }

    /// A TTL no request carries (validation requires at least 1): a name known to need a write.
    static let unknownTTL = Int64.min

    private let state = Mutex(State())
    /// Most names and units remembered, across organisations.
    public let capacity: Int

    public init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    /// The names of `basic` to write for `org`: those not written yet, or written with another
    /// TTL, or with another unit when the request gives one.
    ///
    /// Builds a `String` and a `MetricMetadata` for those names only.
    public func changes(_ basic: BluefloodBasicMetadata, org: OrgID) -> Changes {
        let (changed, epoch) = state.withLock { state -> ([Int], UInt64) in
            guard let entries = state.orgs[org] else { return (Array(0..<basic.count), state.epoch) }
            return (entries.changed(basic), state.epoch)
        }
        let updates = changed.isEmpty ? [:] : basic.metadata(of: changed)
        return Changes(updates: updates, basic: basic, changed: changed, epoch: epoch)
    }

    /// Remembers the TTL and unit of each name of `changes`, which the store now holds for `org`.
    ///
    /// Call it only after the store accepted ``Changes/updates``. A name another request wrote
    /// or forgot since ``changes(_:org:)`` becomes unknown instead; after a clear in between,
    /// nothing is remembered.
    public func commit(_ changes: Changes, org: OrgID) {
        guard !changes.isEmpty else { return }
        state.withLock { state in
            guard state.clearedEpoch <= changes.epoch else { return }
            // Every name and unit could be new.
            if state.count + changes.changed.count + changes.basic.units.count > capacity {
                state.clear()
                return
            }
            state.epoch += 1
            let epoch = state.epoch
            state.count += state.orgs[org, default: Entries()].record(changes, epoch: epoch)
        }
    }

    /// Marks `names` unknown for `org`, so their next basic write goes to the store: another
    /// route wrote their metadata (the aggregated endpoints' `vendorType` and TTL). Call it after
    /// that write, whether it succeeded or not.
    public func forget(_ names: some Collection<String>, org: OrgID) {
        guard !names.isEmpty else { return }
        state.withLock { state in
            if state.count + names.count > capacity { state.clear() }
            state.epoch += 1
            let epoch = state.epoch
            state.count += state.orgs[org, default: Entries()].forget(names, epoch: epoch)
        }
    }
}

extension BluefloodMetadataCache.State {
    /// Forgets every organisation; commits of changes compared before now remember nothing.
    mutating func clear() {
        orgs = [:]
        count = 0
        epoch += 1
        clearedEpoch = epoch
    }
}

extension BluefloodMetadataCache.Entries {
    /// The ids of the names of `basic` whose TTL, or whose given unit, differs from the one last
    /// written, or that were never written.
    func changed(_ basic: BluefloodBasicMetadata) -> [Int] {
        // Each request unit's id here; -2 (matching nothing) for a unit never written.
        let unitMap = (0..<basic.units.count).map { id in
            units.id(of: id, in: basic.units).map { Int32(truncatingIfNeeded: $0) } ?? -2
        }
        var changed: [Int] = []
        for id in 0..<basic.count {
            guard let known = names.id(of: id, in: basic.names), ttlSeconds[known] == basic.ttlSeconds[id] else {
                changed.append(id)
                continue
            }
            let unit = basic.unitIds[id]
            if unit >= 0, unitMap[Int(unit)] != unitIds[known] { changed.append(id) }
        }
        return changed
    }

    /// Records the written names of `changes` at `epoch`.
    ///
    /// - Returns: how many names and units were added.
    mutating func record(_ changes: BluefloodMetadataCache.Changes, epoch: UInt64) -> Int {
        let basic = changes.basic
        var added = 0
        for id in changes.changed {
            let (known, inserted) = names.insert(id, of: basic.names)
            var unit: Int32 = -1
            if basic.unitIds[id] >= 0 {
                let (unitId, newUnit) = units.insert(Int(basic.unitIds[id]), of: basic.units)
                unit = Int32(truncatingIfNeeded: unitId)
                if newUnit { added += 1 }
            }
            if inserted {
                ttlSeconds.append(basic.ttlSeconds[id])
                unitIds.append(unit)
                epochs.append(epoch)
                added += 1
            } else if epochs[known] > changes.epoch {
                // Written or forgotten by another request since the comparison.
                ttlSeconds[known] = BluefloodMetadataCache.unknownTTL
                epochs[known] = epoch
            } else {
                ttlSeconds[known] = basic.ttlSeconds[id]
                // No unit leaves the stored one as it is.
                if unit >= 0 { unitIds[known] = unit }
                epochs[known] = epoch
            }
        }
        return added
    }

    /// Marks `names` unknown at `epoch`, adding those never seen (so that a commit compared
    /// before cannot remember them either).
    ///
    /// - Returns: how many names were added.
    mutating func forget(_ names: some Collection<String>, epoch: UInt64) -> Int {
        var added = 0
        for name in names {
            var name = name
            let (known, inserted) = name.withUTF8 { self.names.insert(UnsafeRawBufferPointer($0)) }
            if inserted {
                ttlSeconds.append(BluefloodMetadataCache.unknownTTL)
                unitIds.append(-1)
                epochs.append(epoch)
                added += 1
            } else {
                ttlSeconds[known] = BluefloodMetadataCache.unknownTTL
                epochs[known] = epoch
            }
        }
        return added
    }
}
