import BasinWire
import StorageAPI

/// The metadata updates of one tenant's basic metrics (`/ingest`, `/ingest/multi`), kept as
/// bytes: each name once, with its last `ttlInSeconds` and its last unit.
///
/// A body of known names costs no `String` and no `MetricMetadata` here: the routes compare the
/// names with what they last wrote (``BluefloodMetadataCache``) and build the updates of the
/// names that changed only, with ``metadata(of:)``; ``allMetadata()`` builds every one.
public struct BluefloodBasicMetadata: Sendable {
    /// The metric names (the base name, never a `:part` series), numbered in first-seen order.
    public private(set) var names = ByteStringTable()
    /// Per name id: its last `ttlInSeconds`.
    public private(set) var ttlSeconds: [Int64] = []
    /// Per name id: its last unit, an id in ``units``, or -1 while none was given.
    public private(set) var unitIds: [Int32] = []
    /// The distinct units given: a unit costs a hash per sample, never a `String`.
    public private(set) var units = ByteStringTable()

    public init() {}

    /// The number of metric names.
    public var count: Int { names.count }

    /// Whether no basic metric was decoded.
    public var isEmpty: Bool { names.isEmpty }

    /// Sizes the tables for about `names` distinct names.
    mutating func reserveCapacity(_ names: Int) {
        self.names.reserveCapacity(names, bytes: names * 48)
        ttlSeconds.reserveCapacity(names)
        unitIds.reserveCapacity(names)
    }

    /// Notes a sample's name, TTL and unit id (nil when the element had no unit): the last
    /// `ttl` and the last unit given win.
    ///
    /// - Returns: the name's id, and whether the name is new.
    @inline(__always)
    mutating func note(name: UnsafeRawBufferPointer, ttlSeconds ttl: Int64, unit: UnsafeRawBufferPointer?) -> (id: Int, inserted: Bool) {
        let unitId = unit.map { Int32(truncatingIfNeeded: units.insert($0).id) }
        let (id, inserted) = names.insert(name)
        if inserted {
            ttlSeconds.append(ttl)
            unitIds.append(unitId ?? -1)
        } else {
            if let unitId { unitIds[id] = unitId }
            ttlSeconds[id] = ttl
        }
        return (id, inserted)
    }

    /// The updates of the names `ids`, by name: `dialect` `blueflood`, `vendorType` `basic`,
    /// the name's TTL, and its unit when one was given (none leaves a stored unit as it is).
    public func metadata(of ids: some Collection<Int>) -> [String: MetricMetadata] {
        var result: [String: MetricMetadata] = [:]
        result.reserveCapacity(ids.count)
        var unitTexts: [String?] = Array(repeating: nil, count: units.count)
        let basic = MetricMetadata(dialect: Blueflood.dialect, vendorType: BluefloodMetricType.basic.rawValue)
        for id in ids {
            var entry = basic
            let unit = Int(unitIds[id])
            if unit >= 0 {
                if unitTexts[unit] == nil { unitTexts[unit] = units.string(unit) }
                entry.unit = unitTexts[unit]
            }
            entry.ttlSeconds = ttlSeconds[id]
            result[names.string(id)] = entry
        }
        return result
    }

    /// Every name's update, by name (a `String` and a `MetricMetadata` per name).
    public func allMetadata() -> [String: MetricMetadata] {
        metadata(of: 0..<count)
    }
}
