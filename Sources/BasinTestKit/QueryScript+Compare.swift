import BasinModel

/// Compares a dialect's outcome with a script's expectation.
enum QueryScriptComparison {
    /// A description of the first difference, or nil when they agree.
    static func compare(_ outcome: QueryScriptOutcome, _ evaluation: QueryScript.Evaluation) -> String? {
        guard case .success(let expected, let isScalar) = evaluation.expectation else { return nil }
        if isScalar {
            guard let want = expected.first?.values.first ?? nil else { return "bad scalar expectation" }
            switch outcome {
            case .scalar(let got):
                return almostEqual(got, want) ? nil : "expected scalar \(want), got \(got)"
            case .matrix(let series) where !evaluation.isInstant && series.count == 1 && series[0].labels.isEmpty:
                return compareRange([QueryScript.ExpectedSeries(labels: .empty, values: expected[0].values)], series, evaluation)
            default:
                return "expected scalar \(want), got \(outcome)"
            }
        }
        switch outcome {
        case .vector(let elements):
            guard evaluation.isInstant else { return "expected a range result, got \(outcome)" }
            return compareInstant(expected, elements, ordered: evaluation.ordered)
        case .matrix(let series):
            if evaluation.isInstant { return compareRawMatrix(expected, series) }
            return compareRange(expected, series, evaluation)
        default:
            return "expected series, got \(outcome)"
        }
    }

    static func compareInstant(
        _ expected: [QueryScript.ExpectedSeries], _ got: [(labels: Labels, value: Double)], ordered: Bool
    ) -> String? {
        guard expected.count == got.count else {
            return "expected \(expected.count) elements, got \(got.count): \(got.map { "\($0.labels) \($0.value)" })"
        }
        for (i, want) in expected.enumerated() {
            guard let wantValue = want.values.first ?? nil, want.values.count == 1 else {
                return "instant expectation for \(want.labels) needs exactly one value"
            }
            let match: (labels: Labels, value: Double)? = ordered ? got[i] : got.first { $0.labels == want.labels }
            guard let match, match.labels == want.labels else {
                return "missing element \(want.labels) (got \(got.map { "\($0.labels)" }))"
            }
            if !almostEqual(match.value, wantValue) { return "\(want.labels): expected \(wantValue), got \(match.value)" }
        }
        return nil
    }

    static func compareRange(
        _ expected: [QueryScript.ExpectedSeries],
        _ got: [(labels: Labels, points: [(timestampMillis: Int64, value: Double)])],
        _ evaluation: QueryScript.Evaluation
    ) -> String? {
        guard expected.count == got.count else {
            return "expected \(expected.count) series, got \(got.count): \(got.map { "\($0.labels)" })"
        }
        let steps = Int((evaluation.endMillis - evaluation.startMillis) / evaluation.stepMillis) + 1
        for want in expected {
            guard let series = got.first(where: { $0.labels == want.labels }) else {
                return "missing series \(want.labels) (got \(got.map { "\($0.labels)" }))"
            }
            var actual = [Double?](repeating: nil, count: steps)
            for point in series.points {
                let offset = point.timestampMillis - evaluation.startMillis
                guard offset >= 0, offset % evaluation.stepMillis == 0, Int(offset / evaluation.stepMillis) < steps else {
                    return "\(want.labels): point at \(point.timestampMillis) is off the step grid"
                }
                actual[Int(offset / evaluation.stepMillis)] = point.value
            }
            var wanted = want.values
            if wanted.count < steps { wanted += Array(repeating: nil, count: steps - wanted.count) }
            let same = wanted.count == steps && zip(wanted, actual).allSatisfy { a, b in
                switch (a, b) {
                case (nil, nil): true
                case (let x?, let y?): almostEqual(x, y)
                default: false
                }
            }
            if !same { return "\(want.labels): expected \(render(wanted)), got \(render(actual))" }
        }
        return nil
    }

    /// An instant evaluation of a range selector: expectation lines list the raw values in order.
    static func compareRawMatrix(
        _ expected: [QueryScript.ExpectedSeries],
        _ got: [(labels: Labels, points: [(timestampMillis: Int64, value: Double)])]
    ) -> String? {
        guard expected.count == got.count else { return "expected \(expected.count) series, got \(got.count)" }
        for want in expected {
            guard let series = got.first(where: { $0.labels == want.labels }) else { return "missing series \(want.labels)" }
            let values = series.points.map(\.value)
            let wanted = want.values.compactMap { $0 }
            guard values.count == wanted.count, zip(values, wanted).allSatisfy({ almostEqual($0, $1) }) else {
                return "\(want.labels): expected \(wanted), got \(values)"
            }
        }
        return nil
    }

    static func render(_ values: [Double?]) -> String {
        values.map { $0.map { "\($0)" } ?? "_" }.joined(separator: " ")
    }

    /// Prometheus' promqltest comparison: relative tolerance 1e-6, NaN equal to NaN.
    static func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let epsilon = 1e-6
        let diff = abs(a - b)
        let sum = abs(a) + abs(b)
        if a == 0 || b == 0 || sum < Double.leastNormalMagnitude { return diff < epsilon * Double.leastNormalMagnitude }
        return diff / min(sum, Double.greatestFiniteMagnitude) < epsilon
    }
}
