import BasinModel
import BasinWire
import NIOCore

extension DatadogSeriesState {
    /// Decodes a whole `{"series": [...]}` body; on a thrown error `batch` is restored.
    /// Decodes the readable bytes of a `ByteBuffer` (see the raw-bytes overload).
    static func decode(_ body: ByteBuffer, format: Format, options: DatadogIntakeOptions, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        var outcome: Result<DatadogIntakeResult, WireError> = .success(DatadogIntakeResult())
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) {
                outcome = .success(try decode(raw, format: format, options: options, into: &batch))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    static func decode(_ body: UnsafeRawBufferPointer, format: Format, options: DatadogIntakeOptions, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        let seriesBefore = batch.seriesCount
        let samplesBefore = batch.sampleCount
        var scanner = JSONScanner(bytes: body, maxDepth: options.limits.maxJSONDepth, allowsNonFiniteLiterals: true)
        var state = DatadogSeriesState(options: options, format: format)
        do throws(WireError) {
            try state.decodePayload(&scanner, into: &batch)
        } catch {
            batch.truncate(seriesCount: seriesBefore, sampleCount: samplesBefore)
            throw error
        }
        return state.result
    }

    mutating func decodePayload(_ scanner: inout JSONScanner, into batch: inout MetricBatch) throws(WireError) {
        if scanner.peekToken() == .end {
            throw WireError(.unexpectedEnd, "empty request body, expected a JSON object with \"series\"", offset: 0)
        }
        do throws(WireError) {
            try scanner.readObjectStart()
        } catch {
            throw error.withContext("payload")
        }
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "series") {
                if try scanner.readNull() { continue }
                do throws(WireError) {
                    try scanner.readArrayStart()
                } catch {
                    throw error.withContext("series")
                }
                var firstSeries = true
                while try scanner.readNextArrayElement(isFirst: &firstSeries) {
                    let index = seriesIndex
                    do throws(WireError) {
                        try decodeSeries(&scanner, into: &batch)
                    } catch {
                        throw error.withContext("series[\(index)]")
                    }
                }
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.readEnd()
    }
}
