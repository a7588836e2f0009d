import BasinModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension QueryEvaluator {
    /// A binary operation between evaluated operands.
    func binary(
        _ op: BinaryOperator, _ lhs: QueryValue, _ rhs: QueryValue, matching: VectorMatching, returnBool: Bool,
        _ range: EvalRange
    ) throws -> QueryValue {
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            guard !op.isSetOperation else {
                throw QueryError.badQuery("set operator \"\(op.rawValue)\" not allowed in binary scalar expression")
            }
            return .scalar(zip(l, r).map { a, b in
                let (value, keep) = BinaryOperator.apply(op, a, b)
                return op.isComparison ? (keep ? 1 : 0) : value
            })
        case (.vector(let series), .scalar(let scalars)):
            return .vector(try vectorScalar(op, series, scalars, scalarOnLeft: false, returnBool: returnBool))
        case (.scalar(let scalars), .vector(let series)):
            return .vector(try vectorScalar(op, series, scalars, scalarOnLeft: true, returnBool: returnBool))
        case (.vector(let l), .vector(let r)):
            if op.isSetOperation { return .vector(try setOperation(op, l, r, matching: matching, range.stepCount)) }
            if matching.cardinality != .oneToOne {
                return .vector(try manyToOne(op, l, r, matching: matching, returnBool: returnBool, range.stepCount))
            }
            return .vector(try oneToOne(op, l, r, matching: matching, returnBool: returnBool, range.stepCount))
        default:
            throw QueryError.badQuery("binary expression must contain only scalar and instant vector types")
        }
    }

    private func vectorScalar(
        _ op: BinaryOperator, _ series: [StepSeries], _ scalars: [Double], scalarOnLeft: Bool, returnBool: Bool
    ) throws -> [StepSeries] {
        guard !op.isSetOperation else {
            throw QueryError.badQuery("set operator \"\(op.rawValue)\" not allowed in binary scalar expression")
        }
        let dropName = !op.isComparison || returnBool
        let out = series.map { s in
            var r = StepSeries(labels: dropName ? s.labels.removing([Labels.metricNameKey]) : s.labels, count: s.values.count)
            for i in s.values.indices where s.present[i] {
                let vectorValue = s.values[i]
                let (value, keep) = scalarOnLeft
                    ? BinaryOperator.apply(op, scalars[i], vectorValue) : BinaryOperator.apply(op, vectorValue, scalars[i])
                if op.isComparison {
                    // The vector element's value survives a filter even when the scalar is on the left.
                    if returnBool {
                        r.present[i] = true
                        r.values[i] = keep ? 1 : 0
                    } else if keep {
                        r.present[i] = true
                        r.values[i] = vectorValue
                    }
                } else {
                    r.present[i] = true
                    r.values[i] = value
                }
            }
            return r
        }
        return try mergeSameLabels(out.filter { !$0.isEmpty })
    }

    /// The labels two elements are matched on.
    func signature(_ labels: Labels, _ matching: VectorMatching) -> Labels {
        matching.on ? labels.keeping(Set(matching.labels))
            : labels.removing(Set(matching.labels).union([Labels.metricNameKey]))
    }

    private func oneToOne(
        _ op: BinaryOperator, _ lhs: [StepSeries], _ rhs: [StepSeries], matching: VectorMatching, returnBool: Bool,
        _ steps: Int
    ) throws -> [StepSeries] {
        let leftSigs = lhs.map { signature($0.labels, matching) }
        let rightSigs = rhs.map { signature($0.labels, matching) }
        let dropName = !op.isComparison || returnBool
        let resultLabels = lhs.map { s -> Labels in
            var labels = dropName ? s.labels.removing([Labels.metricNameKey]) : s.labels
            labels = matching.on ? labels.keeping(Set(matching.labels)) : labels.removing(Set(matching.labels))
            return labels
        }
        var out = lhs.indices.map { StepSeries(labels: resultLabels[$0], count: steps) }
        var rightBySig: [Labels: Int] = [:]
        var matched: Set<Labels> = []
        for i in 0..<steps {
            try checkDeadline()
            rightBySig.removeAll(keepingCapacity: true)
            matched.removeAll(keepingCapacity: true)
            for (j, r) in rhs.enumerated() where r.present[i] {
                if let other = rightBySig[rightSigs[j]] {
                    throw QueryError.execution(
                        "found duplicate series for the match group \(rightSigs[j]) on the right hand-side of the operation: "
                            + "[\(r.labels), \(rhs[other].labels)];many-to-many matching not allowed: matching labels must be unique on one side")
                }
                rightBySig[rightSigs[j]] = j
            }
            for (j, l) in lhs.enumerated() where l.present[i] {
                guard let k = rightBySig[leftSigs[j]] else { continue }
                if !matched.insert(leftSigs[j]).inserted {
                    throw QueryError.execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                let (value, keep) = BinaryOperator.apply(op, l.values[i], rhs[k].values[i])
                if returnBool {
                    out[j].present[i] = true
                    out[j].values[i] = keep ? 1 : 0
                } else if keep {
                    out[j].present[i] = true
                    out[j].values[i] = value
                }
            }
        }
        return try mergeSameLabels(out.filter { !$0.isEmpty })
    }

    private func setOperation(
        _ op: BinaryOperator, _ lhs: [StepSeries], _ rhs: [StepSeries], matching: VectorMatching, _ steps: Int
    ) throws -> [StepSeries] {
        let leftSigs = lhs.map { signature($0.labels, matching) }
        let rightSigs = rhs.map { signature($0.labels, matching) }
        var left = lhs.map { StepSeries(labels: $0.labels, count: steps) }
        var right = rhs.map { StepSeries(labels: $0.labels, count: steps) }
        var sigs: Set<Labels> = []
        for i in 0..<steps {
            sigs.removeAll(keepingCapacity: true)
            switch op {
            case .and, .unless:
                for (j, r) in rhs.enumerated() where r.present[i] { sigs.insert(rightSigs[j]) }
                for (j, l) in lhs.enumerated() where l.present[i] && sigs.contains(leftSigs[j]) == (op == .and) {
                    left[j].present[i] = true
                    left[j].values[i] = l.values[i]
                }
            default:
                for (j, l) in lhs.enumerated() where l.present[i] {
                    sigs.insert(leftSigs[j])
                    left[j].present[i] = true
                    left[j].values[i] = l.values[i]
                }
                for (j, r) in rhs.enumerated() where r.present[i] && !sigs.contains(rightSigs[j]) {
                    right[j].present[i] = true
                    right[j].values[i] = r.values[i]
                }
            }
        }
        return try mergeSameLabels((left + right).filter { !$0.isEmpty })
    }
}

extension BinaryOperator {
    /// The operation on two numbers: the arithmetic result, or for a comparison the left value
    /// and whether the comparison holds.
    static func apply(_ op: BinaryOperator, _ a: Double, _ b: Double) -> (value: Double, keep: Bool) {
        switch op {
        case .add: return (a + b, true)
        case .subtract: return (a - b, true)
        case .multiply: return (a * b, true)
        case .divide: return (a / b, true)
        case .modulo: return (fmod(a, b), true)
        case .power: return (pow(a, b), true)
        case .equal: return (a, a == b)
        case .notEqual: return (a, a != b)
        case .greater: return (a, a > b)
        case .less: return (a, a < b)
        case .greaterOrEqual: return (a, a >= b)
        case .lessOrEqual: return (a, a <= b)
        case .and, .or, .unless: return (a, true)
        }
    }
}
