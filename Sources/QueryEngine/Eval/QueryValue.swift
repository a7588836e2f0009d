import BasinModel

/// The steps a query is evaluated at: `start, start + step, ..., ≤ end`, in milliseconds.
public struct EvalRange: Sendable, Hashable {
    public var startMillis: Int64
    public var endMillis: Int64
    /// Positive; an instant query uses any positive value with `start == end`.
    public var stepMillis: Int64

    public init(startMillis: Int64, endMillis: Int64, stepMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.stepMillis = max(1, stepMillis)
    }

    /// A single evaluation at `timeMillis`.
    public static func instant(_ timeMillis: Int64) -> EvalRange {
        EvalRange(startMillis: timeMillis, endMillis: timeMillis, stepMillis: 1)
    }

    /// Number of steps (at least 1 when `end >= start`).
    public var stepCount: Int {
        endMillis < startMillis ? 0 : Int((endMillis - startMillis) / stepMillis) + 1
    }

    /// The time of step `index`.
    @inlinable
    public func time(at index: Int) -> Int64 { startMillis + Int64(index) * stepMillis }
}

/// One series' values at each step of an ``EvalRange``; absent steps have `present[i] == false`.
public struct StepSeries: Sendable {
    public var labels: Labels
    public var values: [Double]
    public var present: [Bool]

    public init(labels: Labels, values: [Double], present: [Bool]) {
        self.labels = labels
        self.values = values
        self.present = present
    }

    /// A series with no value at any of `count` steps.
    public init(labels: Labels, count: Int) {
        self.labels = labels
        values = Array(repeating: 0, count: count)
        present = Array(repeating: false, count: count)
    }

    /// Whether no step has a value.
    public var isEmpty: Bool { !present.contains(true) }
}

/// Raw samples of one series (a range vector element).
public struct RawSeries: Sendable {
    public var labels: Labels
    public var timestampsMillis: [Int64]
    public var values: [Double]

    public init(labels: Labels, timestampsMillis: [Int64], values: [Double]) {
        self.labels = labels
        self.timestampsMillis = timestampsMillis
        self.values = values
    }
}

/// What an evaluation produces.
public enum QueryValue: Sendable {
    /// One value per step.
    case scalar([Double])
    /// Series with values at some steps.
    case vector([StepSeries])
    /// Raw samples per series (only when a range vector is evaluated at a single instant).
    case matrix([RawSeries])
    case string(String)
}

/// Bounds one evaluation.
public struct QueryLimits: Sendable {
    /// Series one selector may read.
    public var maxSeries: Int
    /// Samples one selector may read, and step values one node may hold.
    public var maxSamples: Int
    /// How far an instant selector looks back for the latest sample (Prometheus: 5 minutes).
    public var lookbackMillis: Int64
    /// When to give up, or nil for never.
    public var deadline: ContinuousClock.Instant?

    public init(
        maxSeries: Int = 100_000, maxSamples: Int = 50_000_000, lookbackMillis: Int64 = 300_000,
        deadline: ContinuousClock.Instant? = nil
    ) {
        self.maxSeries = maxSeries
        self.maxSamples = maxSamples
        self.lookbackMillis = lookbackMillis
        self.deadline = deadline
    }
}
