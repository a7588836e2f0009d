import BasinModel
import BasinWire
import NIOCore

/// One service-check run (API reference `ServiceCheck`): `check`, `status` 0–3, `host_name`,
/// `tags`, `timestamp`, `message`.
public struct DatadogServiceCheck: Sendable, Hashable {
    /// The check name (`app.ok`).
    public var check: String
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    public var status: Int
    /// `host_name`; nil when absent, `null` or empty (datadogpy may omit it).
    public var hostName: String?
    /// `tags` as sent.
    public var tags: [String]
    /// `timestamp` in seconds; nil (or ≤ 0) means the receipt time.
    public var timestampSeconds: Int64?
    /// `message`.
    public var message: String?

    /// Creates a check run.
    public init(check: String, status: Int, hostName: String? = nil, tags: [String] = [], timestampSeconds: Int64? = nil, message: String? = nil) {
        self.check = check
        self.status = status
        self.hostName = hostName
        self.tags = tags
        self.timestampSeconds = timestampSeconds
        self.message = message
    }

    /// The record of `_service_checks` in its documented layout (`BasinModel/Record.swift`):
    /// `check`, `status` (int), `host` (from `host_name`), `tags`, `message`, `dialect` =
    /// `datadog`; absent members are left out. The time is `timestamp`, else the receipt time.
    public func record(nowMillis: Int64) -> Record {
        var fields: [RecordField] = [RecordField("check", .string(check)), RecordField("status", .int(Int64(status)))]
        if let hostName { fields.append(RecordField("host", .string(hostName))) }
        if !tags.isEmpty { fields.append(RecordField("tags", .array(tags.map { .string($0) }))) }
        if let message { fields.append(RecordField("message", .string(message))) }
        fields.append(RecordField("dialect", .string("datadog")))
        var nanos = nowMillis &* 1_000_000
        if let seconds = timestampSeconds, seconds > 0 {
            let (value, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            if !overflow { nanos = value }
        }
        return Record(timeNanos: nanos, fields: fields)
    }
}

/// Decodes a `POST /api/v1/check_run` body: a JSON array of check objects (datadog-api-client,
/// the Agent) or one check object (datadogpy's `ServiceCheck.check`). `{}` — the Agent's
/// connectivity probe — and `[]` are empty payloads.
///
/// Whole-request errors (`400`): malformed JSON, a top level that is neither object nor array,
/// a check without `check` or `status`, a `status` outside 0–3 (API reference
/// `ServiceCheckStatus`), a member of the wrong type, more than
/// ``DatadogRecordLimits/maxChecksPerRequest`` checks, a value over a limit.
public struct DatadogServiceCheckDecoder: Sendable {
    /// The limits applied.
    public var limits: DatadogRecordLimits

    /// Creates a decoder.
    public init(limits: DatadogRecordLimits = DatadogRecordLimits()) {
        self.limits = limits
    }

    /// Decodes the readable bytes of `body`.
    public func decode(_ body: ByteBuffer) throws(WireError) -> [DatadogServiceCheck] {
        var outcome: Result<[DatadogServiceCheck], WireError> = .success([])
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) { outcome = .success(try decode(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Decodes raw bytes (only read during the call).
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> [DatadogServiceCheck] {
        try DatadogJSONFields.withBytes(bytes, maxDepth: limits.maxJSONDepth) { (scanner: inout JSONScanner) throws(WireError) in
            var checks: [DatadogServiceCheck] = []
            switch scanner.peekToken() {
            case .objectStart:
                if let check = try decodeCheck(&scanner, allowEmpty: true) { checks.append(check) }
            case .arrayStart:
                try scanner.readArrayStart()
                var first = true
                while try scanner.readNextArrayElement(isFirst: &first) {
                    let index = checks.count
                    if index >= limits.maxChecksPerRequest {
                        throw WireError(.limitExceeded, "more than \(limits.maxChecksPerRequest) service checks in one request exceeds the limit of \(limits.maxChecksPerRequest) (maxChecksPerRequest)", offset: scanner.position)
                    }
                    do throws(WireError) {
                        if let check = try decodeCheck(&scanner, allowEmpty: false) { checks.append(check) }
                    } catch {
                        throw error.withContext("[\(index)]")
                    }
                }
            default:
                throw scanner.mismatch(expected: "a JSON array of service checks or one service check object", found: scanner.peekToken())
            }
            return checks
        }
    }

    private func decodeCheck(_ scanner: inout JSONScanner, allowEmpty: Bool) throws(WireError) -> DatadogServiceCheck? {
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readObjectStart()
        var check: String?
        var status: Int64?
        var statusOffset = start
        var result = DatadogServiceCheck(check: "", status: 0)
        var members = 0
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            members += 1
            let key = try scanner.readKey()
            if ByteText.equals(key, "check") {
                check = try DatadogJSONFields.string(&scanner, field: "check", maxBytes: limits.maxFieldBytes)
            } else if ByteText.equals(key, "status") {
                scanner.skipWhitespace()
                statusOffset = scanner.position
                status = try DatadogJSONFields.integer(&scanner, field: "status")
            } else if ByteText.equals(key, "host_name") {
                result.hostName = try DatadogJSONFields.string(&scanner, field: "host_name", maxBytes: limits.maxFieldBytes).flatMap { $0.isEmpty ? nil : $0 }
            } else if ByteText.equals(key, "tags") {
                result.tags = try DatadogJSONFields.tags(&scanner, field: "tags", limits: limits)
            } else if ByteText.equals(key, "timestamp") {
                result.timestampSeconds = try DatadogJSONFields.seconds(&scanner, field: "timestamp")
            } else if ByteText.equals(key, "message") {
                result.message = try DatadogJSONFields.string(&scanner, field: "message", maxBytes: limits.maxMessageBytes, limitName: "maxMessageBytes")
            } else {
                try scanner.skipValue()
            }
        }
        if members == 0, allowEmpty { return nil }
        guard let check, !check.isEmpty else {
            throw WireError(.missingField, "missing required field \"check\" in the service check starting", offset: start)
        }
        guard let status else {
            throw WireError(.missingField, "missing required field \"status\" in the service check starting", offset: start)
        }
        guard (0...3).contains(status) else {
            throw WireError(.typeMismatch, "status must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN), found \(status)", offset: statusOffset)
        }
        result.check = check
        result.status = Int(status)
        return result
    }
}
