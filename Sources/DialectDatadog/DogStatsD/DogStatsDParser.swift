/// Parses DogStatsD datagrams (spec §5.2–5.4) the way the Datadog Agent's DogStatsD server does
/// (`comp/dogstatsd/server/impl/parse*.go`): one packet holds `\n`-separated lines, empty lines
/// are skipped, each line is a metric, an event (`_e{…}`) or a service check (`_sc|…`).
///
/// Pure and allocation-light: bytes in, ``DogStatsDMessage`` values out; a malformed line throws
/// ``DogStatsDParseError`` and never traps, whatever the bytes.
public struct DogStatsDParser: Sendable {
    /// The limits applied to every line.
    public var limits: DogStatsDLimits

    /// Creates a parser.
    public init(limits: DogStatsDLimits = DogStatsDLimits()) {
        self.limits = limits
    }

    /// Parses every line of a packet, calling `body` with each line's outcome in order.
    ///
    /// A packet longer than ``DogStatsDLimits/maxPacketBytes`` is one failure (its lines are not
    /// read). `bytes` is only read during the call.
    public func parsePacket(_ bytes: UnsafeRawBufferPointer, _ body: (Result<DogStatsDMessage, DogStatsDParseError>) -> Void) {
        guard bytes.count <= limits.maxPacketBytes else {
            body(.failure(DogStatsDParseError("packet of \(bytes.count) bytes exceeds the limit of \(limits.maxPacketBytes) bytes")))
            return
        }
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd > start {
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd])
                do throws(DogStatsDParseError) {
                    body(.success(try parse(line: line)))
                } catch {
                    body(.failure(error))
                }
            }
            start = end + 1
        }
    }

    /// Parses a packet given as bytes; see ``parsePacket(_:_:)``.
    public func parsePacket(_ bytes: [UInt8]) -> [Result<DogStatsDMessage, DogStatsDParseError>] {
        var results: [Result<DogStatsDMessage, DogStatsDParseError>] = []
        bytes.withUnsafeBytes { raw in parsePacket(raw) { results.append($0) } }
        return results
    }

    /// Parses one line given as a string (tests, tools).
    public func parse(line: String) throws(DogStatsDParseError) -> DogStatsDMessage {
        let bytes = Array(line.utf8)
        var outcome: Result<DogStatsDMessage, DogStatsDParseError> = .failure(DogStatsDParseError("empty line"))
        bytes.withUnsafeBytes { raw in
            do throws(DogStatsDParseError) { outcome = .success(try parse(line: raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Parses one line (no `\n`).
    public func parse(line: UnsafeRawBufferPointer) throws(DogStatsDParseError) -> DogStatsDMessage {
        if Self.hasPrefix(line, "_e{") { return .event(try parseEvent(line)) }
        if Self.hasPrefix(line, "_sc|") || (line.count == 3 && Self.hasPrefix(line, "_sc")) {
            return .serviceCheck(try parseServiceCheck(line))
        }
        return .metric(try parseMetric(line))
    }

    // MARK: Metrics

    /// `<name>:<value>[:<value>…]|<type>[|@rate][|#tags][|c:…][|e:…][|card:…][|T<seconds>]`.
    func parseMetric(_ line: UnsafeRawBufferPointer) throws(DogStatsDParseError) -> DogStatsDMetric {
        guard let colon = Self.firstIndex(of: UInt8(ascii: ":"), in: line, from: 0) else {
            throw DogStatsDParseError("metric line without \":\" (expected name:value|type)")
        }
        guard colon > 0 else { throw DogStatsDParseError("empty metric name") }
        guard colon <= limits.maxNameBytes else {
            throw DogStatsDParseError("metric name of \(colon) bytes exceeds the limit of \(limits.maxNameBytes) bytes")
        }
        guard let pipe = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: colon + 1) else {
            throw DogStatsDParseError("metric line without a type")
        }
        let rawValues = Self.slice(line, colon + 1, pipe)
        guard !rawValues.isEmpty else { throw DogStatsDParseError("empty metric value") }
        let typeEnd = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: pipe + 1) ?? line.count
        let typeText = Self.slice(line, pipe + 1, typeEnd)
        guard let type = DogStatsDMetricType(rawValue: Self.string(typeText)) else {
            throw DogStatsDParseError("unknown metric type \"\(Self.string(typeText.prefix(16)))\"")
        }
        var metric = DogStatsDMetric(name: Self.string(Self.slice(line, 0, colon)), type: type)
        if type == .set {
            metric.setMember = Self.string(rawValues)
        } else {
            try parseValues(rawValues, into: &metric.values)
        }
        var fieldStart = typeEnd + 1
        while fieldStart <= line.count {
            let fieldEnd = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: fieldStart) ?? line.count
            try parseMetricField(Self.slice(line, fieldStart, fieldEnd), into: &metric)
            fieldStart = fieldEnd + 1
        }
        return metric
    }

    private func parseValues(_ raw: UnsafeRawBufferPointer, into values: inout [Double]) throws(DogStatsDParseError) {
        var start = 0
        while start <= raw.count {
            let end = Self.firstIndex(of: UInt8(ascii: ":"), in: raw, from: start) ?? raw.count
            if end > start {   // `1::2` skips the empty value
                guard values.count < limits.maxValuesPerLine else {
                    throw DogStatsDParseError("more than \(limits.maxValuesPerLine) values in one line")
                }
                guard let value = Self.double(Self.slice(raw, start, end)) else {
                    throw DogStatsDParseError("invalid metric value \"\(Self.string(Self.slice(raw, start, end).prefix(32)))\"")
                }
                values.append(value)
            }
            start = end + 1
        }
        guard !values.isEmpty else { throw DogStatsDParseError("empty metric value") }
    }

    private func parseMetricField(_ field: UnsafeRawBufferPointer, into metric: inout DogStatsDMetric) throws(DogStatsDParseError) {
        guard let first = field.first else { return }
        switch first {
        case UInt8(ascii: "@"):
            guard let rate = Self.double(Self.slice(field, 1, field.count)) else {
                throw DogStatsDParseError("invalid sample rate \"\(Self.string(field.prefix(32)))\"")
            }
            // The Agent treats rates outside (0, 1] as 1 rather than dividing by them.
            metric.sampleRate = rate > 0 && rate <= 1 ? rate : 1
        case UInt8(ascii: "#"):
            try parseTags(Self.slice(field, 1, field.count), into: &metric.tags)
        case UInt8(ascii: "T"):
            guard let seconds = Self.integer(Self.slice(field, 1, field.count)), seconds >= 1 else {
                throw DogStatsDParseError("invalid timestamp \"\(Self.string(field.prefix(32)))\"")
            }
            metric.timestampSeconds = seconds
        default:
            break   // `c:` container id, `e:` external data, `card:` cardinality, unknown fields: ignored
        }
    }

    private func parseTags(_ raw: UnsafeRawBufferPointer, into tags: inout [String]) throws(DogStatsDParseError) {
        var start = 0
        while start < raw.count {
            let end = Self.firstIndex(of: UInt8(ascii: ","), in: raw, from: start) ?? raw.count
            if end > start {
                guard tags.count < limits.maxTags else {
                    throw DogStatsDParseError("more than \(limits.maxTags) tags")
                }
                guard end - start <= limits.maxTagBytes else {
                    throw DogStatsDParseError("tag of \(end - start) bytes exceeds the limit of \(limits.maxTagBytes) bytes")
                }
                tags.append(Self.string(Self.slice(raw, start, end)))
            }
            start = end + 1
        }
    }

    // MARK: Byte helpers

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[i] != p[i] { return false }
        return true
    }

    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    static func slice(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        let s = Swift.min(Swift.max(start, 0), bytes.count)
        return UnsafeRawBufferPointer(rebasing: bytes[s..<Swift.max(s, Swift.min(end, bytes.count))])
    }

    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// A finite number as `strconv.ParseFloat` reads it (sign, exponent); nil otherwise.
    static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        guard let value = Double(string(bytes)), value.isFinite else { return nil }
        return value
    }

    /// A decimal integer with an optional sign; nil on overflow or any other byte.
    static func integer(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        return Int64(string(bytes))
    }
}
