import BasinModel
import QueryEngine
import StorageAPI

extension DatadogQueryEvaluator {
    /// Evaluates a metric query over a distribution (metadata `vendorType == "distribution"`),
    /// stored in the layout of ``DatadogDistributionDecoder`` (by `distribution_points` and by
    /// the Agent's sketches): per bucket and `by` group, over every matching series,
    ///
    /// - `count:` sums the `dd_dist=count` samples, `sum:` the `dd_dist=sum` samples;
    /// - `avg:` (also the default without an aggregator) is sum / count;
    /// - `min:` / `max:` are the extremes of the `dd_dist=min` / `max` samples;
    /// - `p50:`, `p75:`, `p90:`, `p95:`, `p99:` merge the `dd_dist=bin` counts per `dd_bin` key
    ///   and read the quantile with ``DatadogDistributionSketch/quantile(_:)`` (clamped to the
    ///   group's min and max): within 1 % of the exact percentile.
    ///
    /// Distributions are not interpolated; `.rollup()`, `.as_count()`, `.as_rate()` and
    /// `.fill()` do not change how they are combined (each aggregator already has its one
    /// meaning over the bucket).
    func evaluateDistribution(_ query: DatadogMetricQuery, grid: DatadogGrid, shiftSeconds: Int64) async throws -> [DatadogSeries] {
        let aggregator = query.spaceAggregator ?? "avg"
        let stat = DatadogDistributionDecoder.statLabel
        func read(_ name: String, _ rollup: RollupFunction) async throws -> [(labels: Labels, values: [Double?])] {
            try await rollUp(query, extraMatchers: [.equal(stat, name)], rollup: rollup, scale: 1, grid: grid, shiftSeconds: shiftSeconds)
        }
        func key(_ labels: Labels) -> [String] { query.groupBy.map { labels[$0] ?? DatadogSeries.missingTagValue } }

        var groups: [[String]: [Double?]] = [:]
        /// Combines `sources` into `groups` bucket by bucket.
        func combine(_ sources: [(labels: Labels, values: [Double?])], into target: inout [[String]: [Double?]], _ op: (Double, Double) -> Double) {
            for source in sources {
                let k = key(source.labels)
                var values = target[k] ?? [Double?](repeating: nil, count: grid.count)
                for i in 0..<min(grid.count, source.values.count) {
                    guard let v = source.values[i] else { continue }
                    values[i] = values[i].map { op($0, v) } ?? v
                }
                target[k] = values
            }
        }

        switch aggregator {
        case "count":
            combine(try await read("count", .sum), into: &groups, +)
        case "sum":
            combine(try await read("sum", .sum), into: &groups, +)
        case "min":
            combine(try await read("min", .min), into: &groups, Swift.min)
        case "max":
            combine(try await read("max", .max), into: &groups, Swift.max)
        case "avg":
            var sums: [[String]: [Double?]] = [:]
            var counts: [[String]: [Double?]] = [:]
            combine(try await read("sum", .sum), into: &sums, +)
            combine(try await read("count", .sum), into: &counts, +)
            for (k, sum) in sums {
                let count = counts[k] ?? []
                groups[k] = (0..<grid.count).map { i in
                    guard let s = sum[i], i < count.count, let c = count[i], c > 0 else { return nil }
                    return s / c
                }
            }
        default:
            guard let q = Self.percentile(aggregator) else { return [] }
            groups = try await distributionQuantiles(q, read: read, key: key, grid: grid)
        }
        return renderDistribution(query, groups: groups)
    }

    /// Most values one merged bin counts (2^46).
    static let maxBinCount = 70_368_744_177_664.0

    /// `p50` → 0.5, …; nil for anything else.
    static func percentile(_ aggregator: String) -> Double? {
        guard aggregator.count == 3, aggregator.first == "p", let n = Int(aggregator.dropFirst()), n > 0, n < 100 else { return nil }
        return Double(n) / 100
    }

    /// The q-quantile per group and bucket from the summed bins.
    private func distributionQuantiles(
        _ q: Double,
        read: (String, RollupFunction) async throws -> [(labels: Labels, values: [Double?])],
        key: (Labels) -> [String], grid: DatadogGrid
    ) async throws -> [[String]: [Double?]] {
        // group → bucket → sketch (bins, count = their sum, min, max)
        var sketches: [[String]: [DatadogDistributionSketch]] = [:]
        func sketchesOf(_ k: [String]) -> [DatadogDistributionSketch] {
            sketches[k] ?? [DatadogDistributionSketch](repeating: DatadogDistributionSketch(), count: grid.count)
        }
        for source in try await read("bin", .sum) {
            guard let text = source.labels[DatadogDistributionDecoder.binLabel], let binKey = Int32(text) else { continue }
            let k = key(source.labels)
            var row = sketchesOf(k)
            for i in 0..<min(grid.count, source.values.count) {
                guard let n = source.values[i], n >= 0.5 else { continue }
                // Capped so no sum over ≤ 65 533 keys can overflow (hostile or foreign samples).
                let previous = row[i].bins[binKey] ?? 0
                let updated = Swift.min(previous + Int64(Swift.min(n, Self.maxBinCount).rounded()), Int64(Self.maxBinCount))
                row[i].bins[binKey] = updated
                row[i].count += updated - previous
            }
            sketches[k] = row
        }
        for (name, rollup) in [("min", RollupFunction.min), ("max", .max)] {
            for source in try await read(name, rollup) {
                let k = key(source.labels)
                guard var row = sketches[k] else { continue }
                for i in 0..<min(grid.count, source.values.count) {
                    guard let v = source.values[i] else { continue }
                    if name == "min" { row[i].min = Swift.min(row[i].min, v) } else { row[i].max = Swift.max(row[i].max, v) }
                }
                sketches[k] = row
            }
        }
        return sketches.mapValues { row in
            row.map { sketch -> Double? in
                guard sketch.count > 0 else { return nil }
                var sketch = sketch
                // Without stored extremes, the bins' own bounds stand in.
                if !sketch.min.isFinite { sketch.min = -Double.greatestFiniteMagnitude }
                if !sketch.max.isFinite { sketch.max = Double.greatestFiniteMagnitude }
                return sketch.quantile(q)
            }
        }
    }

    /// One output series per group, sorted by group values, shaped like ``aggregate(_:sources:plan:grid:)``'s.
    private func renderDistribution(_ query: DatadogMetricQuery, groups: [[String]: [Double?]]) -> [DatadogSeries] {
        let scopeItems = query.scopeItems
        return groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).map { key in
            let tagSet = zip(query.groupBy, key).map { "\($0):\($1)" }
            let scope = Array(Set(scopeItems + tagSet)).sorted()
            return DatadogSeries(
                metric: query.metricName, displayName: query.metricName,
                expression: query.expression(scopeItems: scope), scope: scope.isEmpty ? "*" : scope.joined(separator: ","),
                tagSet: tagSet, aggr: query.spaceAggregator, unitMetric: query.metricName, values: groups[key] ?? [])
        }
    }
}
