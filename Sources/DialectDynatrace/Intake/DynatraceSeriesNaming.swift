/// How Dynatrace metric keys and payloads become Basin metric names.
///
/// - `count,delta=` on a key that does not end in `.count` is stored as `<key>.count`, and a
///   `gauge` on a key ending in `.count` as `<key>.count.gauge`, each with a warning: the
///   renaming a Dynatrace environment with classic metric storage applies (spec §3.3).
/// - A summary (`gauge,min=,max=,sum=,count=`) becomes five series with the line's dimensions:
///   `<key>` holds the average `sum/count` (what Dynatrace reports for a gauge by default, and the
///   same series a single-value gauge line writes), and `<key>:min`, `<key>:max`, `<key>:sum`,
///   `<key>:count` hold the statistics. A colon never occurs in a Dynatrace metric key, so these
///   names cannot collide with ingested keys, and they read like the Dynatrace selector
///   (`cpu.temperature:max`); in PromQL write `{"cpu.temperature:max"}`. A summary with
///   `count=0` writes no average.
public enum DynatraceSeriesNaming {
    /// The suffix a count key gets (`requests` → `requests.count`).
    public static let countSuffix: [UInt8] = Array(".count".utf8)
    /// The suffix a gauge key ending in `.count` gets (`jvm.buffer.count` → `jvm.buffer.count.gauge`).
    public static let gaugeSuffix: [UInt8] = Array(".gauge".utf8)

    /// One statistic of a summary and the name suffix of its series.
    public enum SummaryPart: String, Sendable, CaseIterable {
        case min, max, sum, count

        /// `:min`, `:max`, `:sum`, `:count`.
        public var suffix: String { ":" + rawValue }
    }

    /// The series name holding one statistic of a summary on `metricName`.
    public static func summaryName(_ metricName: String, _ part: SummaryPart) -> String {
        metricName + part.suffix
    }
}
