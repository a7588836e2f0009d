import BasinWire
import NIOCore

/// Axiom's `IngestStatus` (spec §5.4): always all six members, `failures` always an array.
///
/// `{"ingested":2,"failed":0,"failures":[],"processedBytes":630,"blocksCreated":0,"walLength":2}`;
/// `blocksCreated` is always 0 and `walLength` the number of events stored (both deprecated).
enum AxiomIngestStatus {
    static func render(_ batch: AxiomIngestBatch) -> ByteBuffer {
        var writer = JSONWriter(capacity: 128 + batch.failures.count * 96)
        writer.raw("{\"ingested\":")
        writer.integer(batch.records.count)
        writer.raw(",\"failed\":")
        writer.integer(batch.failures.count)
        writer.raw(",\"failures\":[")
        var comma = false
        for failure in batch.failures {
            writer.comma(&comma)
            writer.raw("{\"timestamp\":")
            if let timestamp = failure.timestamp { writer.string(timestamp) } else { writer.null() }
            writer.raw(",\"error\":")
            writer.string(failure.error)
            writer.raw("}")
        }
        writer.raw("],\"processedBytes\":")
        writer.integer(batch.processedBytes)
        writer.raw(",\"blocksCreated\":0,\"walLength\":")
        writer.integer(batch.records.count)
        writer.raw("}")
        return writer.buffer
    }
}
