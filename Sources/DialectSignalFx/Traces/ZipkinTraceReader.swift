import BasinModel
import StorageAPI

/// Answers the Zipkin read API from the `traces` dataset of one organisation, with
/// ``RecordQuery`` scans whose cost is capped by ``RecordQueryLimits`` and the settings here.
///
/// A dataset that does not exist yet reads as empty.
public struct ZipkinTraceReader: Sendable {
    public let records: any RecordStore
    public let org: OrgID
    public let dataset: String
    /// Spans one read may return; a trace read over it fails with `limitExceeded`.
    public let maxSpans: Int
    /// How far before the window of a search the spans of a found trace are still looked for.
    public let traceSlackMicros: Int64

    public init(records: any RecordStore, org: OrgID, dataset: String, maxSpans: Int, traceSlackMicros: Int64 = 3_600_000_000) {
        self.records = records
        self.org = org
        self.dataset = dataset
        self.maxSpans = maxSpans
        self.traceSlackMicros = traceSlackMicros
    }

    static let traceIdField = RecordExpr.field(FieldPath(field: ZipkinSpan.Field.traceId))
    static let localService = RecordExpr.field(FieldPath([.member(ZipkinSpan.Field.localEndpoint), .member(ZipkinSpan.Field.serviceName)]))
    static let remoteService = RecordExpr.field(FieldPath([.member(ZipkinSpan.Field.remoteEndpoint), .member(ZipkinSpan.Field.serviceName)]))
    static let nameField = RecordExpr.field(FieldPath(field: ZipkinSpan.Field.name))

    // MARK: Names

    /// Distinct local service names in the window, sorted.
    public func serviceNames(startMicros: Int64, endMicros: Int64) async throws -> [String] {
        try await distinct(Self.localService, where: nil, startMicros: startMicros, endMicros: endMicros)
    }

    /// Distinct span names of a local service, sorted.
    public func spanNames(service: String, startMicros: Int64, endMicros: Int64) async throws -> [String] {
        try await distinct(Self.nameField, where: Self.equalsIgnoringCase(Self.localService, service), startMicros: startMicros, endMicros: endMicros)
    }

    /// Distinct remote service names a local service called, sorted.
    public func remoteServiceNames(service: String, startMicros: Int64, endMicros: Int64) async throws -> [String] {
        try await distinct(Self.remoteService, where: Self.equalsIgnoringCase(Self.localService, service), startMicros: startMicros, endMicros: endMicros)
    }

    private func distinct(_ expr: RecordExpr, where predicate: RecordExpr?, startMicros: Int64, endMicros: Int64) async throws -> [String] {
        var stages: [RecordStage] = [.filter(.call(.isnotnull, [expr]))]
        if let predicate { stages.append(.filter(predicate)) }
        stages.append(.distinct([NamedExpr("value", expr)]))
        guard let result = try await scan(stages, startMicros: startMicros, endMicros: endMicros) else { return [] }
        guard case .table(let table) = result.output else { return [] }
        var names = Set<String>()
        for row in table.rows { if case .string(let s)? = row.first, !s.isEmpty { names.insert(s) } }
        return names.sorted()
    }

    // MARK: Traces

    /// The spans of one trace, oldest first; empty when unknown.
    ///
    /// A 64-bit id (16 digits, or 32 with a zero upper half) also finds a 128-bit trace whose lower
    /// half it is, as Zipkin does unless `STRICT_TRACE_ID` is set.
    public func trace(id normalized: String) async throws -> [ZipkinSpan] {
        var predicate = RecordExpr.binary(.eq, Self.traceIdField, .literal(.string(normalized)))
        if normalized.hasPrefix(String(repeating: "0", count: 16)) {
            let low = String(normalized.suffix(16))
            predicate = .binary(.or, predicate, .stringTest(.endsWith, Self.traceIdField, .literal(.string(low)), caseSensitive: true, negated: false))
        }
        return try await spans(where: predicate, startMicros: 0, endMicros: Int64.max / 1000)
    }

    /// The spans of several traces, one list per trace that has spans, in the order asked.
    public func traces(ids normalized: [String]) async throws -> [[ZipkinSpan]] {
        var out: [[ZipkinSpan]] = []
        for id in normalized {
            let trace = try await trace(id: id)
            if !trace.isEmpty { out.append(trace) }
        }
        return out
    }

    /// Zipkin's trace search: the `limit` traces with a matching span in the window, newest first.
    public func search(_ query: ZipkinTraceQuery) async throws -> [[ZipkinSpan]] {
        let start = query.startMicros
        let end = query.endMillis &* 1000 &+ 1000
        let stages: [RecordStage] = [
            .filter(Self.predicate(query)),
            .summarize(aggregates: [NamedAggregate("latest", .max(.field(.time)))], by: [NamedExpr("traceId", Self.traceIdField)]),
            .sort([SortKey(.field(FieldPath(field: "latest")), descending: true)]),
            .limit(query.limit),
        ]
        guard let found = try await scan(stages, startMicros: start, endMicros: end), case .table(let table) = found.output else { return [] }
        let ids: [String] = table.rows.compactMap { if case .string(let s)? = $0.first { s } else { nil } }
        guard !ids.isEmpty else { return [] }
        let spans = try await spans(
            where: .inList(Self.traceIdField, ids.map { .literal(.string($0)) }, caseSensitive: true, negated: false),
            startMicros: start &- traceSlackMicros, endMicros: end &+ traceSlackMicros)
        var byTrace: [String: [ZipkinSpan]] = [:]
        for span in spans { byTrace[span.traceId, default: []].append(span) }
        // The store's filter is a superset for bare annotationQuery keys: check each trace exactly.
        return ids.compactMap { id in
            guard let trace = byTrace[id], trace.contains(where: query.matches) else { return nil }
            return trace
        }
    }

    /// The store-side filter of a search (exact but for bare annotation keys, see ``search(_:)``).
    static func predicate(_ query: ZipkinTraceQuery) -> RecordExpr {
        var parts: [RecordExpr] = []
        if let s = query.serviceName { parts.append(equalsIgnoringCase(localService, s)) }
        if let s = query.remoteServiceName { parts.append(equalsIgnoringCase(remoteService, s)) }
        if let s = query.spanName { parts.append(equalsIgnoringCase(nameField, s)) }
        let duration = RecordExpr.field(FieldPath(field: ZipkinSpan.Field.duration))
        if let d = query.minDurationMicros { parts.append(.binary(.ge, duration, .literal(.int(d)))) }
        if let d = query.maxDurationMicros { parts.append(.binary(.le, duration, .literal(.int(d)))) }
        for term in query.terms {
            switch term {
            case .tag(let key, let value):
                let tag = RecordExpr.field(FieldPath([.member(ZipkinSpan.Field.tags), .member(key)]))
                parts.append(.binary(.eq, tag, .literal(.string(value))))
            case .key(let key):
                let tag = RecordExpr.field(FieldPath([.member(ZipkinSpan.Field.tags), .member(key)]))
                parts.append(.binary(.or, .call(.isnotnull, [tag]), .search(key, caseSensitive: true)))
            }
        }
        guard var all = parts.first else { return .literal(.bool(true)) }
        for part in parts.dropFirst() { all = .binary(.and, all, part) }
        return all
    }

    static func equalsIgnoringCase(_ expr: RecordExpr, _ value: String) -> RecordExpr {
        .stringTest(.equals, expr, .literal(.string(value)), caseSensitive: false, negated: false)
    }

    /// Spans matching `predicate`, oldest first, at most ``maxSpans``.
    private func spans(where predicate: RecordExpr, startMicros: Int64, endMicros: Int64) async throws -> [ZipkinSpan] {
        let stages: [RecordStage] = [.filter(predicate), .limit(maxSpans + 1)]
        guard let result = try await scan(stages, startMicros: startMicros, endMicros: endMicros),
              case .records(let found) = result.output else { return [] }
        if found.count > maxSpans {
            throw StorageError(kind: .limitExceeded, message: "more than \(maxSpans) spans to return (maxSpansPerQuery); narrow the query")
        }
        return found.compactMap(ZipkinSpan.init(record:)).sorted { ($0.timestampMicros, $0.id) < ($1.timestampMicros, $1.id) }
    }

    /// Runs a scan; nil when the dataset does not exist.
    private func scan(_ stages: [RecordStage], startMicros: Int64, endMicros: Int64) async throws -> RecordQueryResult? {
        let limits = RecordQueryLimits(maxGroups: maxSpans, maxRows: maxSpans + 1, maxListElements: 1)
        let query = RecordQuery(
            org: org, dataset: dataset, startNanos: Self.nanos(startMicros), endNanos: Self.nanos(endMicros),
            stages: stages, defaultLimit: maxSpans + 1, limits: limits)
        do {
            return try await records.scan(query)
        } catch let error as StorageError where error.kind == .notFound {
            return nil
        }
    }

    static func nanos(_ micros: Int64) -> Int64 {
        let (value, overflow) = micros.multipliedReportingOverflow(by: 1000)
        return overflow ? (micros < 0 ? .min : .max) : value
    }
}
