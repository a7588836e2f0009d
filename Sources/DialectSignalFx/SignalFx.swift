import BasinModel

/// Constants of the Splunk Observability (SignalFx) ingest dialect (`../shared/specs/signalfx.md`).
public enum SignalFx {
    /// The self-metrics dialect name, also the `dialect` of stored metric metadata and events.
    public static let dialect = "signalfx"

    /// The success body of every ingest call: the JSON string `"OK"`, quotes included (spec §2.4;
    /// golib JSON-decodes the body and fails on a bare `OK`).
    public static let okBody = "\"OK\""

    /// The dimension a protobuf `DataPoint.source` becomes (spec §3.2, gateway behaviour).
    public static let sourceDimension = "sf_source"
}

/// SignalFx's metric types: the JSON array keys and the protobuf `MetricType` enum (spec §3.1–§3.2).
public enum SignalFxMetricType: Int, Sendable, CaseIterable {
    /// `gauge`, protobuf `GAUGE` (0): an instantaneous measurement.
    case gauge = 0
    /// `counter`, protobuf `COUNTER` (1): a count since the last report.
    case counter = 1
    /// protobuf `ENUM` (2): a legacy string-valued gauge; never stored (spec §8 vector 14).
    case enumeration = 2
    /// `cumulative_counter`, protobuf `CUMULATIVE_COUNTER` (3): a running total.
    case cumulativeCounter = 3

    /// The Basin kind: gauge → `.gauge`, counter → `.count` (a delta), cumulative counter →
    /// `.counter`; nil for `ENUM`, which Basin does not store.
    public var kind: MetricKind? {
        switch self {
        case .gauge: .gauge
        case .counter: .count
        case .cumulativeCounter: .counter
        case .enumeration: nil
        }
    }
}

/// SignalFx's event categories with their protobuf enum values (spec §4.2; note the gaps).
public enum SignalFxEventCategory: Int64, Sendable, CaseIterable {
    /// Created through the UI or API (deployments and the like); the default.
    case userDefined = 1_000_000
    /// From a detector.
    case alert = 100_000
    /// From the audit trail.
    case audit = 200_000
    /// From an analytics job.
    case job = 300_000
    /// From collectd (deprecated in favour of `AGENT`).
    case collectd = 400_000
    /// From service discovery.
    case serviceDiscovery = 500_000
    /// From an exception appender.
    case exception = 700_000
    /// From an agent (signalfx-python refuses to send it; the server accepts it).
    case agent = 2_000_000

    /// The enum name as the protobuf schema and the JSON API spell it (`USER_DEFINED`, `ALERT`, …).
    public var name: String {
        switch self {
        case .userDefined: "USER_DEFINED"
        case .alert: "ALERT"
        case .audit: "AUDIT"
        case .job: "JOB"
        case .collectd: "COLLECTD"
        case .serviceDiscovery: "SERVICE_DISCOVERY"
        case .exception: "EXCEPTION"
        case .agent: "AGENT"
        }
    }

    /// The category of a name, matched case-insensitively; unknown names are `USER_DEFINED`
    /// (gateway behaviour, spec §8 vector 28).
    public init(name bytes: some Collection<UInt8>) {
        let upper = String(decoding: bytes, as: UTF8.self).uppercased()
        self = Self.allCases.first { $0.name == upper } ?? .userDefined
    }

    /// The category of an enum value; values outside the enum are `USER_DEFINED`.
    public init(protobufValue: Int64) {
        self = SignalFxEventCategory(rawValue: protobufValue) ?? .userDefined
    }
}
