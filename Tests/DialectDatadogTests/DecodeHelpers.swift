import BasinModel
import BasinWire
import DialectDatadog

/// Decodes `bytes` with a fresh batch; the error case keeps the typed error.
func decodeV1(_ bytes: [UInt8], options: DatadogIntakeOptions) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
    let decoder = DatadogSeriesV1Decoder(options: options)
    return bytes.withUnsafeBytes { raw in
        var batch = MetricBatch()
        do throws(WireError) {
            let result = try decoder.decode(raw, into: &batch)
            return .success((batch, result))
        } catch {
            return .failure(error)
        }
    }
}

func decodeV1(_ text: String, options: DatadogIntakeOptions = DatadogIntakeOptions(nowMillis: 1_800_000_000_000)) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
    decodeV1(Array(text.utf8), options: options)
}

/// Decodes a v2 JSON body with a fresh batch.
func decodeV2(_ bytes: [UInt8], options: DatadogIntakeOptions) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
    let decoder = DatadogSeriesV2Decoder(options: options)
    return bytes.withUnsafeBytes { raw in
        var batch = MetricBatch()
        do throws(WireError) {
            let result = try decoder.decode(raw, into: &batch)
            return .success((batch, result))
        } catch {
            return .failure(error)
        }
    }
}

func decodeV2(_ text: String, options: DatadogIntakeOptions = DatadogIntakeOptions(nowMillis: 1_800_000_000_000)) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
    decodeV2(Array(text.utf8), options: options)
}
