import BasinModel

extension QueryEvaluator {
    /// `group_left` / `group_right`: each element of the "many" side pairs with the one element
    /// of the other side in its match group; result labels come from the many side, plus the
    /// `include` labels copied from the one side (removed when empty there), as in Prometheus.
    func manyToOne(
        _ op: BinaryOperator, _ lhs: [StepSeries], _ rhs: [StepSeries], matching: VectorMatching, returnBool: Bool,
        _ steps: Int
    ) throws -> [StepSeries] {
        let swapped = matching.cardinality == .oneToMany
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        let manySigs = many.map { signature($0.labels, matching) }
        let oneSigs = one.map { signature($0.labels, matching) }
        let dropName = !op.isComparison || returnBool
        var outputIndex: [Labels: Int] = [:]
        var pairLabels: [Int: Labels] = [:]
        var out: [StepSeries] = []
        var oneBySig: [Labels: Int] = [:]
        var written: Set<Int> = []
        for i in 0..<steps {
            try checkDeadline()
            oneBySig.removeAll(keepingCapacity: true)
            written.removeAll(keepingCapacity: true)
            for (k, s) in one.enumerated() where s.present[i] {
                if let other = oneBySig[oneSigs[k]] {
                    throw QueryError.execution(
                        "found duplicate series for the match group \(oneSigs[k]) on the \(swapped ? "left" : "right") hand-side of the operation: "
                            + "[\(s.labels), \(one[other].labels)];many-to-many matching not allowed: matching labels must be unique on one side")
                }
                oneBySig[oneSigs[k]] = k
            }
            for (j, m) in many.enumerated() where m.present[i] {
                guard let k = oneBySig[manySigs[j]] else { continue }
                let pair = j &* one.count &+ k
                let labels: Labels
                if let cached = pairLabels[pair] {
                    labels = cached
                } else {
                    var builder = LabelsBuilder()
                    let include = Set(matching.include)
                    m.labels.forEach { n, v in
                        if include.contains(n) || (dropName && n == Labels.metricNameKey) { return }
                        builder.add(name: n, value: v)
                    }
                    for name in matching.include {
                        if let v = one[k].labels[name], !v.isEmpty { builder.add(name: name, value: v) }
                    }
                    labels = builder.build()
                    pairLabels[pair] = labels
                }
                let (left, right) = swapped ? (one[k].values[i], m.values[i]) : (m.values[i], one[k].values[i])
                let (value, keep) = BinaryOperator.apply(op, left, right)
                guard returnBool || keep else { continue }
                let index: Int
                if let existing = outputIndex[labels] {
                    index = existing
                } else {
                    index = out.count
                    outputIndex[labels] = index
                    out.append(StepSeries(labels: labels, count: steps))
                }
                guard written.insert(index).inserted else {
                    throw QueryError.execution("multiple matches for labels: grouping labels must ensure unique matches")
                }
                out[index].present[i] = true
                out[index].values[i] = returnBool ? (keep ? 1 : 0) : value
            }
        }
        return out
    }
}
