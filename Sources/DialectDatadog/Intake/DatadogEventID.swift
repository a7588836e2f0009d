import BasinModel

/// Event ids: 64-bit integers that carry the event's second, so a lookup scans one second.
///
/// Layout: `id = seconds << 20 | low`, where `seconds` is the event time in whole seconds since
/// the epoch (clamped to 0…2^42−1) and `low` 20 bits. Datadog-written events draw `low` at
/// random and store the id in the record (`id` member); records of other dialects (SignalFx)
/// have no stored id and get `low` from an FNV-1a hash of their time, title and tags, which is
/// stable across reads. Ids stay below 2^62 (JavaScript-unsafe above 2^53 like Datadog's own,
/// hence `id_str`).
public enum DatadogEventID {
    /// Bits below the seconds.
    public static let lowBits: Int64 = 20

    /// A new id for an event at `timeNanos`, with random low bits.
    public static func make<G: RandomNumberGenerator>(timeNanos: Int64, using generator: inout G) -> Int64 {
        compose(seconds: floorSeconds(timeNanos), low: Int64(generator.next() & 0xF_FFFF))
    }

    /// The id of a record that has no stored one.
    public static func derived(for record: Record) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x0000_0100_0000_01B3
        }
        withUnsafeBytes(of: record.timeNanos.littleEndian) { mix($0) }
        if case .string(let title)? = record[field: "title"] { mix(title.utf8) }
        if case .array(let tags)? = record[field: "tags"] {
            for case .string(let tag) in tags { mix(tag.utf8) }
        }
        return compose(seconds: floorSeconds(record.timeNanos), low: Int64(hash & 0xF_FFFF))
    }

    /// The second an id points at (where to scan); nil for a negative id.
    public static func seconds(of id: Int64) -> Int64? {
        id < 0 ? nil : id >> lowBits
    }

    /// Whole seconds of a nanosecond time, rounded down.
    public static func floorSeconds(_ nanos: Int64) -> Int64 {
        let (q, r) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? q - 1 : q
    }

    static func compose(seconds: Int64, low: Int64) -> Int64 {
        let clamped = min(max(seconds, 0), (1 << 42) - 1)
        return clamped << lowBits | (low & 0xF_FFFF)
    }
}
