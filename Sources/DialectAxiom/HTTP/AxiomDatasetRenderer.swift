import BasinModel
import BasinWire
import NIOCore
import StorageAPI

/// Dataset objects and field lists as Axiom's clients decode them (spec §6.1).
///
/// v2 (axiom-go, axiom-js; GO's strict decoding allows exactly these members):
/// `{"id","name","kind","description","who","created","updatedAt","canWrite","useRetentionPeriod","retentionDays","mapFields"}`.
/// v1 (axiom-py, a dacite dataclass whose `who` and `created` must be strings):
/// `{"id","name","description","who","created"}`. `id` equals `name`; `created` and
/// `updatedAt` are the creation time in RFC 3339 with nanoseconds (the store keeps no update time).
enum AxiomDatasetRenderer {
    /// The `who` of every dataset: Basin keeps no creator.
    static let who = "basin"

    static func write(_ dataset: DatasetInfo, version: AxiomAPIVersion, into writer: inout JSONWriter) {
        let created = AxiomTime.rfc3339(nanos: dataset.createdNanos)
        writer.raw("{\"id\":")
        writer.string(dataset.name)
        writer.raw(",\"name\":")
        writer.string(dataset.name)
        if version == .v2 {
            writer.raw(",\"kind\":\"axiom:events:v1\"")
        }
        writer.raw(",\"description\":")
        writer.string(dataset.description)
        writer.raw(",\"who\":")
        writer.string(who)
        writer.raw(",\"created\":")
        writer.string(created)
        if version == .v2 {
            writer.raw(",\"updatedAt\":")
            writer.string(created)
            writer.raw(",\"canWrite\":")
            writer.bool(!dataset.reserved)
            writer.raw(",\"useRetentionPeriod\":")
            writer.bool(dataset.retentionDays > 0)
            writer.raw(",\"retentionDays\":")
            writer.integer(dataset.retentionDays)
            writer.raw(",\"mapFields\":[]")
        }
        writer.raw("}")
    }

    static func render(_ dataset: DatasetInfo, version: AxiomAPIVersion) -> ByteBuffer {
        var writer = JSONWriter(capacity: 320)
        write(dataset, version: version, into: &writer)
        return writer.buffer
    }

    static func render(_ datasets: [DatasetInfo], version: AxiomAPIVersion) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + datasets.count * 320)
        writer.raw("[")
        var comma = false
        for dataset in datasets {
            writer.comma(&comma)
            write(dataset, version: version, into: &writer)
        }
        writer.raw("]")
        return writer.buffer
    }

    /// Axiom's type name of a stored type: `boolean`, `integer`, `float`, `string`,
    /// `datetime`, `array`, `map`; nil for `null` (left out of the joined list).
    static func typeName(_ type: FieldType) -> String? {
        switch type {
        case .null: nil
        case .bool: "boolean"
        case .int: "integer"
        case .float: "float"
        case .string: "string"
        case .timestamp: "datetime"
        case .array: "array"
        case .object: "map"
        }
    }

    /// `[{"name","type","unit","hidden","description"}]`: `_time` first (it is not a stored
    /// field), then the stored fields by name; several types are joined with `|`
    /// (`integer|float`); a field only ever null is reported as `string`.
    static func renderFields(_ stats: DatasetStats) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + stats.fields.count * 96)
        writer.raw("[")
        var comma = false
        func field(_ name: String, _ type: String) {
            writer.comma(&comma)
            writer.raw("{\"name\":")
            writer.string(name)
            writer.raw(",\"type\":")
            writer.string(type)
            writer.raw(",\"unit\":\"\",\"hidden\":false,\"description\":\"\"}")
        }
        field("_time", "datetime")
        for info in stats.fields where info.name != "_time" {
            let names = info.types.compactMap(typeName)
            field(info.name, names.isEmpty ? "string" : names.joined(separator: "|"))
        }
        writer.raw("]")
        return writer.buffer
    }
}
