import BasinHTTP
import BasinWire
import Foundation
import BasinModel
import Dispatch
import Hummingbird
import NIOCore
import StorageAPI

/// The body of an APL query (spec §7.1).
struct AxiomAPLRequest: Decodable {
    var apl: String
    var startTime: String?
    var endTime: String?
    var cursor: String?
    var includeCursor: Bool?
}

extension AxiomRoutes {
    /// Explicit `take`/`limit` values are capped here (spec §7.5); without one, 1,000 rows.
    static let maxQueryRows = 50_000
    static let defaultQueryRows = 1_000

    /// Registers `POST /v1/datasets/_apl` and `POST /v1/query/_apl` (`format=tabular|legacy`).
    public func registerQueries(on router: Router<BasinRequestContext>) {
        for path in ["/v1/datasets/_apl", "/v1/query/_apl"] {
            router.post(RouterPath(path)) { request, _ in
                await self.aplQuery(request)
            }
        }
    }

    func aplQuery(_ request: Request) async -> Response {
        let endpoint = "apl"
        let principal: Principal
        switch authorize(request, anyOf: [.query], to: "query datasets") {
        case .success(let p): principal = p
        case .failure(let e): return fail(e, endpoint: endpoint)
        }
        let format = Self.queryParameters(request)["format"] ?? "legacy"
        guard format == "tabular" || format == "legacy" else {
            return fail(.badRequest("unsupported format \"\(format)\"; use tabular or legacy"), endpoint: endpoint)
        }
        let body: AxiomAPLRequest
        switch await decodeBody(AxiomAPLRequest.self, request) {
        case .success(let b): body = b
        case .failure(let e): return fail(e, endpoint: endpoint)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let nowNanos = DialectEnvironment.nowMillis() &* 1_000_000
        var messages: [(code: String, msg: String)] = []
        let startNanos: Int64
        let endNanos: Int64
        do throws(AxiomErrorResponse) {
            if let start = body.startTime, !start.isEmpty {
                startNanos = try Self.queryTime(start, name: "startTime", nowNanos: nowNanos)
            } else {
                startNanos = 0
            }
            if let end = body.endTime, !end.isEmpty {
                endNanos = try Self.queryTime(end, name: "endTime", nowNanos: nowNanos)
            } else {
                endNanos = nowNanos
                messages.append(("apl_implicitendtimeofnowapplied_1", "implicit end time of 'now' applied"))
            }
        } catch {
            return fail(error, endpoint: endpoint)
        }
        let query: APLQuery
        do throws(APLError) {
            query = try APLLowering.lower(body.apl, startNanos: startNanos, endNanos: endNanos, nowNanos: nowNanos)
        } catch {
            return fail(.badRequest("invalid APL query: \(error.message) (line \(error.line), column \(error.column))"), endpoint: endpoint)
        }
        let limits = RecordQueryLimits(maxRows: Self.maxQueryRows)
        do {
            let stages = Self.capLimits(query.stages)
            let result = try await records.scan(RecordQuery(
                org: principal.org, dataset: query.dataset, startNanos: startNanos, endNanos: endNanos, stages: stages,
                defaultLimit: Self.defaultQueryRows, limits: limits))
            var totals: RecordQueryResult?
            if let derived = Self.derivedTotals(query, from: result) {
                totals = derived
            } else if let totalStages = Self.totalsStages(query) {
                totals = try await records.scan(RecordQuery(
                    org: principal.org, dataset: query.dataset, startNanos: startNanos, endNanos: endNanos, stages: totalStages,
                    defaultLimit: Self.defaultQueryRows, limits: limits))
            }
            let elapsed = Int((DispatchTime.now().uptimeNanoseconds - started) / 1000)
            let answer = AxiomQueryAnswer(
                query: query, result: result, totals: totals, startNanos: startNanos, endNanos: endNanos,
                elapsedMicros: elapsed, messages: messages)
            return ok(format == "tabular" ? AxiomQueryRenderer.tabular(answer) : AxiomQueryRenderer.legacy(answer), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "apl query"), endpoint: endpoint)
        }
    }

    /// Explicit limits above the cap are lowered to it.
    static func capLimits(_ stages: [RecordStage]) -> [RecordStage] {
        stages.map { stage in
            if case .limit(let n) = stage, n > maxQueryRows { return .limit(maxQueryRows) }
            return stage
        }
    }

    /// The stages of the `_totals` table: the last summarize without its time-bin key, and
    /// no stage after it (the totals are over the whole range).
    static func totalsStages(_ query: APLQuery) -> [RecordStage]? {
        guard let bin = query.timeBin,
              let i = query.stages.lastIndex(where: { if case .summarize = $0 { true } else { false } }),
              case .summarize(let aggregates, let by) = query.stages[i] else { return nil }
        return Array(query.stages[..<i]) + [.summarize(aggregates: aggregates, by: by.filter { $0.name != bin.column })]
    }

    /// The `_totals` table folded from the binned table itself, when the summarize is the last
    /// stage and every aggregate combines across bins (count, countif, sum, sumif, min, max):
    /// one scan instead of two.
    static func derivedTotals(_ query: APLQuery, from result: RecordQueryResult) -> RecordQueryResult? {
        guard let bin = query.timeBin, case .summarize(let aggregates, let by)? = query.stages.last,
              case .table(let table) = result.output else { return nil }
        var combine: [(column: Int, op: RecordAggregate)] = []
        for a in aggregates {
            switch a.aggregate {
            case .count, .countIf, .sum, .sumIf, .min, .max: break
            default: return nil
            }
            guard let i = table.columns.firstIndex(of: a.name) else { return nil }
            combine.append((i, a.aggregate))
        }
        let keyNames = by.map(\.name).filter { $0 != bin.column }
        let keyColumns = keyNames.compactMap { table.columns.firstIndex(of: $0) }
        guard keyColumns.count == keyNames.count else { return nil }
        var order: [[FieldValue]] = []
        var groups: [[FieldValue]: [FieldValue]] = [:]
        for row in table.rows {
            let key = keyColumns.map { row[$0] }
            let values = combine.map { row[$0.column] }
            guard let existing = groups[key] else {
                groups[key] = values
                order.append(key)
                continue
            }
            groups[key] = zip(combine, zip(existing, values)).map { c, pair in Self.combine(c.op, pair.0, pair.1) }
        }
        if order.isEmpty && keyNames.isEmpty {
            order.append([])
            groups[[]] = combine.map { if case .count = $0.op { .int(0) } else if case .countIf = $0.op { .int(0) } else { .null } }
        }
        // The store's group order, so the folded table lists groups as a scan would.
        order.sort { lhs, rhs in
            for (l, r) in zip(lhs, rhs) {
                let c = FieldValueOrder.compare(l, r)
                if c != 0 { return c < 0 }
            }
            return false
        }
        let rows = order.map { $0 + groups[$0]! }
        return RecordQueryResult(
            output: .table(RecordTable(columns: keyNames + aggregates.map(\.name), rows: rows)),
            recordsExamined: result.recordsExamined, recordsMatched: result.recordsMatched,
            partitionsSkipped: result.partitionsSkipped, partitionsExamined: result.partitionsExamined)
    }

    private static func combine(_ op: RecordAggregate, _ a: FieldValue, _ b: FieldValue) -> FieldValue {
        func number(_ v: FieldValue) -> Double? {
            switch v {
            case .int(let i): Double(i)
            case .float(let d): d
            default: nil
            }
        }
        if a.isNull { return b }
        if b.isNull { return a }
        switch op {
        case .min, .max:
            guard let x = number(a), let y = number(b) else { return a }
            if case .min = op { return x <= y ? a : b }
            return x >= y ? a : b
        default:
            if case .int(let x) = a, case .int(let y) = b {
                let (sum, overflow) = x.addingReportingOverflow(y)
                return overflow ? .float(Double(x) + Double(y)) : .int(sum)
            }
            guard let x = number(a), let y = number(b) else { return a }
            return .float(x + y)
        }
    }

    /// `startTime`/`endTime`: RFC 3339 (leniently: axiom-py appends `Z` after an offset),
    /// `now`, or `now-<n><unit>` with units s, m, h, d, w.
    static func queryTime(_ text: String, name: String, nowNanos: Int64) throws(AxiomErrorResponse) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("now") {
            let rest = trimmed.dropFirst(3)
            if rest.isEmpty { return nowNanos }
            let sign: Int64 = rest.first == "-" ? -1 : rest.first == "+" ? 1 : 0
            let unitNanos: [Character: Int64] = ["s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000, "w": 604_800_000_000_000]
            if sign != 0, let unit = rest.last, let scale = unitNanos[unit], let n = Int64(rest.dropFirst().dropLast()), n >= 0, n < 1 << 20 {
                return nowNanos &+ sign &* n &* scale
            }
            throw .badRequest("invalid \(name) \"\(text)\"")
        }
        var candidate = trimmed
        // "2024-01-01T00:00:00+00:00Z" (a tz-aware datetime from axiom-py): drop the stray Z.
        let bytes = Array(candidate.utf8)
        if bytes.count > 7, bytes.last == UInt8(ascii: "Z"), bytes[bytes.count - 4] == UInt8(ascii: ":"),
           bytes[bytes.count - 7] == UInt8(ascii: "+") || bytes[bytes.count - 7] == UInt8(ascii: "-") {
            candidate.removeLast()
        }
        do throws(AxiomTimeError) {
            return try AxiomTimestampParser(format: nil).nanos(of: candidate)
        } catch {
            throw .badRequest("invalid \(name) \"\(text)\": expected RFC 3339 or now-<duration>")
        }
    }
}
