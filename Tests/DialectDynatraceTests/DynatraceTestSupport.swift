import BasinModel
import DialectDynatrace

/// The receive time the parser tests run at (spec timestamps are placed relative to it).
let testNowMillis: Int64 = 1_795_351_000_000

/// Parses `text` with a fresh batch at ``testNowMillis``; the error case keeps the typed error.
func parseLines(
    _ text: String, options: DynatraceIngestOptions = DynatraceIngestOptions(nowMillis: testNowMillis)
) -> Result<(MetricBatch, DynatraceIngestResult), DynatraceLineError> {
    var batch = MetricBatch()
    do throws(DynatraceLineError) {
        let result = try DynatraceLineParser(options: options).parse(Array(text.utf8), into: &batch)
        return .success((batch, result))
    } catch {
        return .failure(error)
    }
}

/// The canonical text form of what a body decoded to, used by tables and golden files: a header
/// with the line counts, the reported issues and metadata, then one sorted line per sample,
/// `{labels} kind timestampMillis value`.
enum DynatraceRendering {
    static func render(_ batch: MetricBatch, _ result: DynatraceIngestResult) -> String {
        var out = ["# linesOk=\(result.linesOk) linesInvalid=\(result.linesInvalid) warnings=\(result.warningCount) samples=\(result.samplesAccepted)"]
        out += result.invalidLines.map { "# invalid \($0.line): \($0.message)" }
        out += result.warnings.map { "# warning \($0.line): \($0.message)" }
        out += result.metadata.map { m in
            "# metadata \(m.metricName) unit=\(m.unit.map(escape) ?? "-") description=\(m.description.map(escape) ?? "-") displayName=\(m.displayName.map(escape) ?? "-")"
        }
        return (out + samples(batch)).joined(separator: "\n") + "\n"
    }

    /// One line per sample, sorted.
    static func samples(_ batch: MetricBatch) -> [String] {
        var lines: [String] = []
        for i in 0..<batch.sampleCount {
            let slot = Int(batch.seriesSlots[i])
            lines.append("\(render(batch.labels(at: slot))) \(batch.kinds[slot].name) \(batch.timestampsMillis[i]) \(batch.values[i])")
        }
        return lines.sorted()
    }

    static func render(_ labels: Labels) -> String {
        "{" + labels.pairs.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ", ") + "}"
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
