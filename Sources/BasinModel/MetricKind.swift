/// How a series' values are to be read.
///
/// Stored with each series (first writer wins) so read APIs can report it; queries treat all
/// kinds as floats.
public enum MetricKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Unknown or unspecified (Datadog's type 0 / missing type).
    case unspecified = 0
    /// A point-in-time value.
    case gauge = 1
    /// A delta: the count over the sample's interval (Datadog `count`, Dynatrace `count,delta=`).
    case count = 2
    /// A cumulative counter that only resets on restart (SignalFx `cumulative_counter`).
    case counter = 3
    /// A per-second rate over the sample's interval (Datadog `rate`).
    case rate = 4
    /// One part of a min/max/sum/count summary.
    case summary = 5

    /// A lower-case name for read APIs and metadata (`gauge`, `count`, `counter`, `rate`, `summary`, `unknown`).
    public var name: String {
        switch self {
        case .unspecified: "unknown"
        case .gauge: "gauge"
        case .count: "count"
        case .counter: "counter"
        case .rate: "rate"
        case .summary: "summary"
        }
    }
}
