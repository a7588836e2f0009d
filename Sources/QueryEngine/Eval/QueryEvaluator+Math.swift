import BasinModel
import Foundation

extension QueryEvaluator {
    /// Element-wise functions; the metric name is dropped.
    func math(_ function: MathFunction, _ series: [StepSeries], arguments: [[Double]]) throws -> [StepSeries] {
        let out = series.map { s in
            var r = StepSeries(labels: s.labels.removing([Labels.metricNameKey]), values: s.values, present: s.present)
            for i in r.values.indices where r.present[i] {
                let argument = arguments.first.flatMap { i < $0.count ? $0[i] : nil }
                if function == .clamp, arguments.count == 2, i < arguments[0].count, i < arguments[1].count {
                    let low = arguments[0][i], high = arguments[1][i]
                    // Prometheus returns nothing when the bounds cross.
                    if high < low {
                        r.present[i] = false
                        continue
                    }
                    r.values[i] = MathFunction.apply(.clampMax, MathFunction.apply(.clampMin, r.values[i], argument: low), argument: high)
                    continue
                }
                r.values[i] = MathFunction.apply(function, r.values[i], argument: argument)
            }
            return r
        }
        return try mergeSameLabels(out.filter { !$0.isEmpty })
    }
}

extension MathFunction {
    /// The function at one value; `argument` is `to_nearest`, the min or the max bound.
    static func apply(_ function: MathFunction, _ v: Double, argument: Double?) -> Double {
        switch function {
        case .abs: return Swift.abs(v)
        case .ceil: return v.rounded(.up)
        case .floor: return v.rounded(.down)
        case .round:
            // Prometheus rounds halves up: floor(v / nearest + 0.5) * nearest, via the inverse.
            let inverse = 1.0 / (argument ?? 1)
            return (v * inverse + 0.5).rounded(.down) / inverse
        case .clampMin:
            guard let bound = argument else { return v }
            return v.isNaN || bound.isNaN ? .nan : Swift.max(v, bound)
        case .clampMax:
            guard let bound = argument else { return v }
            return v.isNaN || bound.isNaN ? .nan : Swift.min(v, bound)
        case .clamp: return v
        case .sqrt: return v.squareRoot()
        case .exp: return Foundation.exp(v)
        case .ln: return Foundation.log(v)
        case .log2: return Foundation.log2(v)
        case .log10: return Foundation.log10(v)
        case .sgn: return v > 0 ? 1 : (v < 0 ? -1 : v)
        }
    }
}
