import BasinModel
import DialectDatadog

/// The canonical text form of a decoded batch used by golden files: a header with the intake
/// counts, then one sorted line per sample: `{labels} kind timestampMillis value`.
enum BatchRendering {
    static func render(_ batch: MetricBatch, _ result: DatadogIntakeResult) -> String {
        var lines: [String] = []
        for i in 0..<batch.sampleCount {
            let slot = Int(batch.seriesSlots[i])
            let labels = batch.labels(at: slot)
            lines.append("\(render(labels)) \(batch.kinds[slot].name) \(batch.timestampsMillis[i]) \(batch.values[i])")
        }
        lines.sort()
        var header = "# accepted=\(result.accepted) rejected=\(result.rejected) dropped=\(result.dropped)"
        header += " rejected_series=\(result.rejectedSeries) intervals=\(result.intervalsSeconds)"
        var out = [header]
        out += result.errors.map { "# error: \($0)" }
        out += lines
        return out.joined(separator: "\n") + "\n"
    }

    static func render(_ labels: Labels) -> String {
        let parts = labels.pairs.map { pair in "\(pair.name)=\"\(escape(pair.value))\"" }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
