import BasinModel

extension QueryEvaluator {
    /// Applies a ``LabelRewrite`` to every series, then merges series that became identical.
    func rewrite(_ series: [StepSeries], _ rewrite: LabelRewrite) throws -> [StepSeries] {
        switch rewrite {
        case .join(let destination, let separator, let sources):
            let out = series.map { s in
                let joined = sources.map { s.labels[$0] ?? "" }.joined(separator: separator)
                return StepSeries(labels: s.labels.setting(destination, to: joined), values: s.values, present: s.present)
            }
            return try mergeSameLabels(out)
        case .replace(let destination, let replacement, let source, let pattern):
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex("^(?:" + pattern + ")$")
            } catch {
                throw QueryError.badQuery("invalid regular expression in label_replace(): \(pattern)")
            }
            var out: [StepSeries] = []
            out.reserveCapacity(series.count)
            for s in series {
                let value = s.labels[source] ?? ""
                guard let match = try? regex.wholeMatch(in: value) else {
                    out.append(s)
                    continue
                }
                let expanded = LabelTemplate.expand(replacement, match.output)
                out.append(StepSeries(labels: s.labels.setting(destination, to: expanded), values: s.values, present: s.present))
            }
            return try mergeSameLabels(out)
        }
    }
}

/// Go's `Regexp.Expand` template syntax: `$1`, `${1}`, `$name`, `${name}`, `$$`.
enum LabelTemplate {
    static func expand(_ template: String, _ output: AnyRegexOutput) -> String {
        var result = ""
        let chars = Array(template)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                result.append(c)
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                result.append("$")
                i += 2
                continue
            }
            var name = ""
            var j = i + 1
            if chars[j] == "{" {
                guard let close = chars[(j + 1)...].firstIndex(of: "}") else {
                    result.append(c)
                    i += 1
                    continue
                }
                name = String(chars[(j + 1)..<close])
                j = close + 1
            } else {
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" {
                    name.append(chars[j])
                    j += 1
                }
            }
            guard !name.isEmpty else {
                result.append(c)
                i += 1
                continue
            }
            if let index = Int(name) {
                if index < output.count, let substring = output[index].substring { result += substring }
            } else if let capture = output[name], let substring = capture.substring {
                result += substring
            }
            i = j
        }
        return result
    }
}
