import BasinModel
import BasinWire
import NIOCore

/// The attributes of a logs request that come from its URL (`ddtags`, `ddsource`, `service`,
/// `hostname`/`host` query parameters): used for `text/plain` bodies and as defaults for JSON.
public struct DatadogLogAttributes: Sendable, Equatable {
    public var ddtags: String?
    public var ddsource: String?
    public var service: String?
    public var hostname: String?

    public init(ddtags: String? = nil, ddsource: String? = nil, service: String? = nil, hostname: String? = nil) {
        self.ddtags = ddtags
        self.ddsource = ddsource
        self.service = service
        self.hostname = hostname
    }
}

/// Decodes a Datadog logs body (`POST /api/v2/logs`, `/v1/input`) into records of the `logs` dataset.
///
/// JSON (`application/json`): an array of log objects or one object (API reference
/// `HTTPLogItem`, any extra attributes allowed). Each object becomes one record whose fields are
/// its members as sent (nested objects and arrays kept), with:
/// - `message` cut to ``DatadogRecordLimits/maxLogMessageBytes`` (Datadog truncates at 1 MB and
///   still answers 202);
/// - `ddsource`, `service`, `hostname` filled from the URL attributes when the object lacks them;
/// - `tags` (array of strings, unless the object has its own `tags`): the object's and the URL's
///   `ddtags` split at commas, then `source:<ddsource>`, `host:<hostname>`, `service:<service>`
///   (spec §7 vector 33);
/// - the time from `timestamp` (or `@timestamp`): a number is milliseconds (below 10^11 it is
///   read as seconds), a string is digits (the same) or RFC 3339; otherwise the receipt time.
///
/// Text (`text/plain`, `application/logplex-1`): one record per non-empty line, `message` = the
/// line, plus the URL attributes.
///
/// Whole-request errors (`400`): malformed JSON, an element that is not an object, more than
/// ``DatadogRecordLimits/maxLogsPerRequest`` entries or ``DatadogRecordLimits/maxLogAttributes``
/// attributes in one entry, a tag over the tag limits.
public struct DatadogLogDecoder: Sendable {
    public var limits: DatadogRecordLimits
    public var attributes: DatadogLogAttributes
    /// Receipt time, milliseconds since the epoch.
    public var nowMillis: Int64

    public init(limits: DatadogRecordLimits = DatadogRecordLimits(), attributes: DatadogLogAttributes = DatadogLogAttributes(), nowMillis: Int64) {
        self.limits = limits
        self.attributes = attributes
        self.nowMillis = nowMillis
    }

    /// Decodes a JSON body held in a buffer.
    public func decodeJSON(_ body: ByteBuffer) throws(WireError) -> [Record] {
        var outcome: Result<[Record], WireError> = .success([])
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) { outcome = .success(try decodeJSON(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Decodes a JSON body from raw bytes (only read during the call).
    public func decodeJSON(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> [Record] {
        try DatadogJSONFields.withBytes(bytes, maxDepth: limits.maxJSONDepth) { (scanner: inout JSONScanner) throws(WireError) in
            var records: [Record] = []
            if scanner.peekToken() == .objectStart {
                records.append(try decodeEntry(&scanner))
                return records
            }
            guard scanner.peekToken() == .arrayStart else {
                throw scanner.mismatch(expected: "a JSON array of log objects or one log object", found: scanner.peekToken())
            }
            try scanner.readArrayStart()
            var first = true
            while try scanner.readNextArrayElement(isFirst: &first) {
                if records.count >= limits.maxLogsPerRequest {
                    throw WireError(.limitExceeded, "more than \(limits.maxLogsPerRequest) log entries in one request exceeds the limit of \(limits.maxLogsPerRequest) (maxLogsPerRequest)", offset: scanner.position)
                }
                let index = records.count
                do throws(WireError) {
                    guard scanner.peekToken() == .objectStart else {
                        throw scanner.mismatch(expected: "a log object", found: scanner.peekToken())
                    }
                    records.append(try decodeEntry(&scanner))
                } catch {
                    throw error.withContext("[\(index)]")
                }
            }
            return records
        }
    }

    /// Decodes a text body: one log per non-empty line (`\n` or `\r\n`).
    public func decodeText(_ body: ByteBuffer) throws(WireError) -> [Record] {
        var records: [Record] = []
        var failure: WireError?
        body.withUnsafeReadableBytes { raw in
            var start = 0
            var i = 0
            while i <= raw.count {
                if i == raw.count || raw[i] == UInt8(ascii: "\n") {
                    var end = i
                    if end > start, raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    if end > start {
                        if records.count >= limits.maxLogsPerRequest {
                            failure = WireError(.limitExceeded, "more than \(limits.maxLogsPerRequest) log lines in one request exceeds the limit of \(limits.maxLogsPerRequest) (maxLogsPerRequest)", offset: start)
                            return
                        }
                        let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                        let cut = DatadogJSONFields.utf8Boundary(line, atMost: limits.maxLogMessageBytes)
                        let message = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<cut]), as: UTF8.self)
                        do throws(WireError) {
                            records.append(try finish([RecordField("message", .string(message))], timeNanos: nil))
                        } catch {
                            failure = error
                            return
                        }
                    }
                    start = i + 1
                }
                i += 1
            }
        }
        if let failure { throw failure }
        return records
    }

    // MARK: Entries

    private func decodeEntry(_ scanner: inout JSONScanner) throws(WireError) -> Record {
        try scanner.readObjectStart()
        var fields: [RecordField] = []
        var timeNanos: Int64?
        var budget = limits.maxLogAttributes
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let keyOffset = scanner.position
            let key = try scanner.readKey()
            let name = String(decoding: key, as: UTF8.self)
            try spend(&budget, offset: keyOffset)
            if name == "message" {
                if scanner.peekToken() == .string {
                    let message = try DatadogJSONFields.truncatedString(&scanner, field: "message", maxBytes: limits.maxLogMessageBytes) ?? ""
                    fields.append(RecordField(name, .string(message)))
                    continue
                }
            }
            let value = try readValue(&scanner, budget: &budget)
            if timeNanos == nil, name == "timestamp" || name == "@timestamp" {
                timeNanos = DatadogLogTime.nanos(value)
            }
            fields.append(RecordField(name, value))
        }
        return try finish(fields, timeNanos: timeNanos)
    }

    private func spend(_ budget: inout Int, offset: Int) throws(WireError) {
        budget -= 1
        if budget < 0 {
            throw WireError(.limitExceeded, "a log entry with more than \(limits.maxLogAttributes) attributes exceeds the limit of \(limits.maxLogAttributes) (maxLogAttributes)", offset: offset)
        }
    }

    /// Any JSON value as a field value; integers that fit are `.int`, other numbers `.float`,
    /// non-finite numbers `null`.
    private func readValue(_ scanner: inout JSONScanner, budget: inout Int) throws(WireError) -> FieldValue {
        switch scanner.peekToken() {
        case .objectStart:
            try scanner.readObjectStart()
            var members: [RecordField] = []
            var first = true
            while try scanner.readNextObjectMember(isFirst: &first) {
                let offset = scanner.position
                let key = try scanner.readKey()
                let name = String(decoding: key, as: UTF8.self)
                try spend(&budget, offset: offset)
                members.append(RecordField(name, try readValue(&scanner, budget: &budget)))
            }
            return .object(members)
        case .arrayStart:
            try scanner.readArrayStart()
            var elements: [FieldValue] = []
            var first = true
            while try scanner.readNextArrayElement(isFirst: &first) {
                try spend(&budget, offset: scanner.position)
                elements.append(try readValue(&scanner, budget: &budget))
            }
            return .array(elements)
        case .string:
            let raw = try scanner.readString()
            let cut = DatadogJSONFields.utf8Boundary(raw, atMost: limits.maxLogMessageBytes)
            return .string(String(decoding: UnsafeRawBufferPointer(rebasing: raw[..<cut]), as: UTF8.self))
        case .number:
            let start = scanner.position
            let decimal = try scanner.readDecimal()
            if !decimal.hasFractionOrExponent, let integer = decimal.scaledInt64(byPowerOfTen: 0) { return .int(integer) }
            let value = DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position]))
            return value.isFinite ? .float(value) : .null
        case .bool:
            return .bool(try scanner.readBool())
        case .null:
            _ = try scanner.readNull()
            return .null
        case .objectEnd, .arrayEnd, .invalid, .end:
            try scanner.skipValue()
            return .null
        }
    }

    /// Adds the URL attributes and the derived `tags`, and picks the time.
    private func finish(_ fields: [RecordField], timeNanos: Int64?) throws(WireError) -> Record {
        var fields = fields
        func string(_ name: String) -> String? {
            if case .string(let value)? = fields.first(where: { $0.name == name })?.value { return value }
            return nil
        }
        if string("ddsource") == nil, let source = attributes.ddsource { fields.append(RecordField("ddsource", .string(source))) }
        if string("service") == nil, let service = attributes.service { fields.append(RecordField("service", .string(service))) }
        if string("hostname") == nil, let host = attributes.hostname { fields.append(RecordField("hostname", .string(host))) }
        if !fields.contains(where: { $0.name == "tags" }) {
            var tags: [String] = []
            if let own = string("ddtags") { try DatadogJSONFields.splitTags(own, field: "ddtags", limits: limits, into: &tags) }
            if let url = attributes.ddtags { try DatadogJSONFields.splitTags(url, field: "ddtags", limits: limits, into: &tags) }
            for (key, member) in [("source", "ddsource"), ("host", "hostname"), ("service", "service")] {
                if let value = string(member), !value.isEmpty { tags.append("\(key):\(value)") }
            }
            if !tags.isEmpty { fields.append(RecordField("tags", .array(tags.map { .string($0) }))) }
        }
        return Record(timeNanos: timeNanos ?? nowMillis &* 1_000_000, fields: fields)
    }
}
