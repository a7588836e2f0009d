/// Blueflood's resolutions (§8.4): raw samples and five roll-up sizes, bucket starts aligned to
/// multiples of the size since the epoch (UTC).
public enum BluefloodGranularity: Int, CaseIterable, Sendable {
    case full, min5, min20, min60, min240, min1440

    /// The bucket size in milliseconds (1 for ``full``, as Blueflood's `Granularity.FULL`).
    public var millis: Int64 {
        switch self {
        case .full: 1
        case .min5: 300_000
        case .min20: 1_200_000
        case .min60: 3_600_000
        case .min240: 14_400_000
        case .min1440: 86_400_000
        }
    }

    /// The name clients send in `resolution=` and error messages show (`FULL`, `MIN5`, …).
    public var name: String {
        switch self {
        case .full: "FULL"
        case .min5: "MIN5"
        case .min20: "MIN20"
        case .min60: "MIN60"
        case .min240: "MIN240"
        case .min1440: "MIN1440"
        }
    }

    /// How long Blueflood keeps data at this resolution by default, in milliseconds
    /// (days: 5, 10, 20, 155, 300, 1825; BF-core `io/CassandraModel.java`, spec §8.4, §13).
    public var defaultTTLMillis: Int64 {
        let days: Int64 = switch self {
        case .full: 5
        case .min5: 10
        case .min20: 20
        case .min60: 155
        case .min240: 300
        case .min1440: 1825
        }
        return days * 86_400_000
    }

    /// The sample interval `points=` assumes for raw data (`GET_BY_POINTS_ASSUME_INTERVAL`).
    public static let assumedFullIntervalMillis: Int64 = 30_000

    /// The granularity `resolution=` names, case-insensitively; nil for anything else.
    public init?(resolution: String) {
        guard let match = Self.allCases.first(where: { $0.name == resolution.uppercased() }) else { return nil }
        self = match
    }

    /// The resolution a `points=` request gets: Blueflood's "geometric" selection (§8.4), in
    /// doubles as the Java code computes it.
    ///
    /// Scans from fine to coarse, skipping resolutions whose data would already have expired at
    /// `fromMillis`, and stops at the first one whose ratio between providable and requested
    /// points does not improve on the best so far.
    /// - Returns: the best resolution, or ``min1440`` when none qualifies.
    public static func forPoints(_ points: Int, fromMillis: Int64, toMillis: Int64, nowMillis: Int64) -> BluefloodGranularity {
        let requestedDuration = Double(toMillis) - Double(fromMillis)
        let wanted = Double(points)
        var best: BluefloodGranularity?
        var bestRatio = Double.greatestFiniteMagnitude
        for g in allCases {
            if fromMillis < nowMillis &- g.defaultTTLMillis { continue }
            let period = g == .full ? assumedFullIntervalMillis : g.millis
            let providable = requestedDuration / Double(period)
            let ratio = providable > wanted ? providable / wanted : wanted / providable
            if ratio < bestRatio {
                best = g
                bestRatio = ratio
            } else {
                break
            }
        }
        return best ?? .min1440
    }
}
