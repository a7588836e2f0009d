import BasinModel
import BasinWire
import NIOCore
import StorageAPI

/// What a rendered APL answer is made of: the main result, the `_totals` result of a
/// time-binned summarize, and the figures of the status object.
struct AxiomQueryAnswer {
    var query: APLQuery
    var result: RecordQueryResult
    var totals: RecordQueryResult?
    var startNanos: Int64
    var endNanos: Int64
    var elapsedMicros: Int
    /// Status messages (`apl_implicitendtimeofnowapplied_1` when no end time was given).
    var messages: [(code: String, msg: String)]
}

/// Writes APL answers in Axiom's two shapes (spec §7.2 tabular, §7.3 legacy).
enum AxiomQueryRenderer {
    // MARK: Tabular

    static func tabular(_ a: AxiomQueryAnswer) -> ByteBuffer {
        var w = JSONWriter(capacity: 4096)
        w.raw("{\"format\":\"tabular\",\"status\":")
        status(a, into: &w)
        w.raw(",\"tables\":[")
        table(name: "0", a.result.output, a, binned: true, into: &w)
        if let totals = a.totals {
            w.raw(",")
            table(name: "_totals", totals.output, a, binned: false, into: &w)
        }
        w.raw("],\"datasetNames\":[")
        w.string(a.query.dataset)
        w.raw("],\"fieldsMetaMap\":{")
        w.string(a.query.dataset)
        w.raw(":[]}}")
        return w.buffer
    }

    private static func table(name: String, _ output: RecordQueryOutput, _ a: AxiomQueryAnswer, binned: Bool, into w: inout JSONWriter) {
        let (columnNames, rows) = columnsAndRows(output)
        let aggregations = Dictionary(a.query.aggregations.map { ($0.column, $0) }, uniquingKeysWith: { x, _ in x })
        w.raw("{\"name\":")
        w.string(name)
        w.raw(",\"sources\":[{\"name\":")
        w.string(a.query.dataset)
        w.raw("}],\"fields\":[")
        var comma = false
        for (i, column) in columnNames.enumerated() {
            w.comma(&comma)
            w.raw("{\"name\":")
            w.string(column)
            w.raw(",\"type\":")
            if case .records = output, i < 2 {
                w.string("datetime")
            } else {
                w.string(typeName(rows.lazy.map { $0[i] }))
            }
            if case .table = output, let agg = aggregations[column] {
                w.raw(",\"agg\":{\"name\":")
                w.string(agg.name)
                w.raw(",\"fields\":[")
                var c = false
                for f in agg.fields {
                    w.comma(&c)
                    w.string(f)
                }
                w.raw("],\"args\":[")
                c = false
                for arg in agg.args {
                    w.comma(&c)
                    value(arg, into: &w)
                }
                w.raw("]}")
            }
            w.raw("}")
        }
        w.raw("],\"order\":[")
        if case .records = output {
            w.raw("{\"field\":\"_time\",\"desc\":true}")
        } else if binned, let bin = a.query.timeBin {
            w.raw("{\"field\":")
            w.string(bin.column)
            w.raw(",\"desc\":false}")
        }
        w.raw("],\"groups\":[")
        comma = false
        if case .table = output {
            for g in a.query.groupBy where binned || g != a.query.timeBin?.column {
                w.comma(&comma)
                w.raw("{\"name\":")
                w.string(g)
                w.raw("}")
            }
        }
        w.raw("],\"range\":{\"field\":\"_time\",\"start\":")
        w.string(AxiomTime.rfc3339(nanos: a.startNanos))
        w.raw(",\"end\":")
        w.string(AxiomTime.rfc3339(nanos: a.endNanos))
        w.raw("}")
        if binned, case .table = output, let bin = a.query.timeBin {
            w.raw(",\"buckets\":{\"field\":")
            w.string(bin.column)
            w.raw(",\"size\":")
            w.integer(bin.sizeNanos)
            w.raw("}")
        }
        w.raw(",\"columns\":[")
        comma = false
        for i in columnNames.indices {
            w.comma(&comma)
            w.raw("[")
            var c = false
            for row in rows {
                w.comma(&c)
                value(row[i], into: &w)
            }
            w.raw("]")
        }
        w.raw("]}")
    }

    /// Column names and row-major values; records become `_time`, `_sysTime`, then their
    /// fields sorted by name.
    static func columnsAndRows(_ output: RecordQueryOutput) -> ([String], [[FieldValue]]) {
        switch output {
        case .table(let t):
            return (t.columns, t.rows)
        case .records(let records):
            var names = Set<String>()
            for r in records {
                for f in r.fields where f.name != "_sysTime" { names.insert(f.name) }
            }
            let sorted = names.sorted()
            let columns = ["_time", "_sysTime"] + sorted
            let rows = records.map { r -> [FieldValue] in
                [.timestamp(r.timeNanos), r[field: "_sysTime"] ?? .timestamp(r.timeNanos)] + sorted.map { r[field: $0] ?? .null }
            }
            return (columns, rows)
        }
    }

    /// Axiom's type name for a column: that of its first non-null value.
    static func typeName(_ values: some Sequence<FieldValue>) -> String {
        for v in values {
            switch v {
            case .null: continue
            case .bool: return "boolean"
            case .int: return "integer"
            case .float: return "float"
            case .string: return "string"
            case .timestamp: return "datetime"
            case .array: return "array"
            case .object: return "map"
            }
        }
        return "string"
    }

    // MARK: Legacy

    static func legacy(_ a: AxiomQueryAnswer) -> ByteBuffer {
        var w = JSONWriter(capacity: 4096)
        w.raw("{\"format\":\"legacy\",\"status\":")
        status(a, into: &w)
        w.raw(",\"matches\":[")
        if case .records(let records) = a.result.output {
            var comma = false
            for (i, r) in records.enumerated() {
                w.comma(&comma)
                w.raw("{\"_time\":")
                w.string(AxiomTime.rfc3339(nanos: r.timeNanos))
                w.raw(",\"_sysTime\":")
                value(r[field: "_sysTime"] ?? .timestamp(r.timeNanos), into: &w)
                w.raw(",\"_rowId\":")
                w.string(rowID(r.timeNanos, i))
                w.raw(",\"data\":{")
                var c = false
                for f in r.fields where f.name != "_sysTime" {
                    w.comma(&c)
                    w.string(f.name)
                    w.raw(":")
                    value(f.value, into: &w)
                }
                w.raw("}}")
            }
        }
        w.raw("],\"buckets\":{\"series\":[")
        if case .table(let t) = a.result.output, let bin = a.query.timeBin, let binColumn = t.columns.firstIndex(of: bin.column) {
            // One interval per bin, in time order, with that bin's groups.
            var byBin: [Int64: [[FieldValue]]] = [:]
            for row in t.rows {
                guard case .timestamp(let start) = row[binColumn] else { continue }
                byBin[start, default: []].append(row)
            }
            var comma = false
            for start in byBin.keys.sorted() {
                w.comma(&comma)
                w.raw("{\"startTime\":")
                w.string(AxiomTime.rfc3339(nanos: start))
                w.raw(",\"endTime\":")
                w.string(AxiomTime.rfc3339(nanos: start &+ bin.sizeNanos))
                w.raw(",\"groups\":")
                groups(RecordTable(columns: t.columns, rows: byBin[start]!), skip: bin.column, a, into: &w)
                w.raw("}")
            }
        }
        w.raw("],\"totals\":")
        if case .table(let totals) = a.totals?.output {
            groups(totals, skip: nil, a, into: &w)
        } else if case .table(let t) = a.result.output, a.query.timeBin == nil {
            groups(t, skip: nil, a, into: &w)
        } else {
            w.raw("[]")
        }
        w.raw("},\"datasetNames\":[")
        w.string(a.query.dataset)
        w.raw("]}")
        return w.buffer
    }

    /// `[{id, group:{key: value}, aggregations:[{op, value}]}]`.
    private static func groups(_ t: RecordTable, skip: String?, _ a: AxiomQueryAnswer, into w: inout JSONWriter) {
        let aggregateColumns = Set(a.query.aggregations.map(\.column))
        w.raw("[")
        var comma = false
        for (id, row) in t.rows.enumerated() {
            w.comma(&comma)
            w.raw("{\"id\":")
            w.integer(id)
            w.raw(",\"group\":{")
            var c = false
            for (i, name) in t.columns.enumerated() where !aggregateColumns.contains(name) && name != skip {
                w.comma(&c)
                w.string(name)
                w.raw(":")
                value(row[i], into: &w)
            }
            w.raw("},\"aggregations\":[")
            c = false
            for (i, name) in t.columns.enumerated() where aggregateColumns.contains(name) {
                w.comma(&c)
                w.raw("{\"op\":")
                w.string(name)
                w.raw(",\"value\":")
                value(row[i], into: &w)
                w.raw("}")
            }
            w.raw("]}")
        }
        w.raw("]")
    }

    // MARK: Shared

    private static func status(_ a: AxiomQueryAnswer, into w: inout JSONWriter) {
        w.raw("{\"elapsedTime\":")
        w.integer(a.elapsedMicros)
        w.raw(",\"minCursor\":\"\",\"maxCursor\":\"\",\"blocksExamined\":")
        w.integer(a.result.partitionsExamined)
        w.raw(",\"rowsExamined\":")
        w.integer(a.result.recordsExamined)
        w.raw(",\"rowsMatched\":")
        w.integer(a.result.recordsMatched)
        w.raw(",\"numGroups\":")
        if case .table(let t) = a.result.output { w.integer(t.rows.count) } else { w.integer(0) }
        w.raw(",\"isPartial\":false,\"cacheStatus\":1,\"minBlockTime\":")
        w.string(AxiomTime.rfc3339(nanos: a.startNanos))
        w.raw(",\"maxBlockTime\":")
        w.string(AxiomTime.rfc3339(nanos: a.endNanos))
        if !a.messages.isEmpty {
            w.raw(",\"messages\":[")
            var comma = false
            for m in a.messages {
                w.comma(&comma)
                w.raw("{\"priority\":\"warn\",\"count\":1,\"code\":")
                w.string(m.code)
                w.raw(",\"msg\":")
                w.string(m.msg)
                w.raw("}")
            }
            w.raw("]")
        }
        w.raw("}")
    }

    /// A row id that sorts like (time, position in the answer).
    static func rowID(_ timeNanos: Int64, _ index: Int) -> String {
        let t = String(UInt64(bitPattern: timeNanos), radix: 36)
        return String(repeating: "0", count: max(0, 13 - t.count)) + t + "-" + String(index, radix: 36)
    }

    /// A value as JSON: times as RFC 3339 strings, objects with their members in order.
    static func value(_ v: FieldValue, into w: inout JSONWriter) {
        switch v {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .int(let i): w.integer(i)
        case .float(let d): w.number(d)
        case .string(let s): w.string(s)
        case .timestamp(let t): w.string(AxiomTime.rfc3339(nanos: t))
        case .array(let items):
            w.raw("[")
            var comma = false
            for item in items {
                w.comma(&comma)
                value(item, into: &w)
            }
            w.raw("]")
        case .object(let members):
            w.raw("{")
            var comma = false
            for m in members {
                w.comma(&comma)
                w.string(m.name)
                w.raw(":")
                value(m.value, into: &w)
            }
            w.raw("}")
        }
    }
}
