import BasinModel

extension DynatraceLineState {
    /// Parses `key[,dimensions] payload [timestamp]` and appends its samples.
    mutating func parseDataLine(
        _ line: UnsafeRawBufferPointer, number: Int, into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) throws(DynatraceLineError) {
        // The options are read field by field: a local copy of the whole struct costs a few
        // dozen instructions per line.
        let keyEnd: Int
        if let end = Self.metricKeyEnd(line, maxMetricKeyBytes: options.limits.maxMetricKeyBytes) {
            keyEnd = end
        } else {
            keyEnd = try Self.metricKeyEndFully(line, options.limits)
        }
        if !values.isEmpty { values.removeAll(keepingCapacity: true) }
        builder.reset()
        var i = keyEnd
        if i < line.count, line[i] == UInt8(ascii: ",") {
            i = try parseDimensions(line, from: i + 1)
        }
        let payloadStart = Self.skipBlanks(line, from: i)
        guard payloadStart < line.count else {
            throw DynatraceLineError(.invalidMetricType, "invalid metric type in message '\(DynatraceLineError.quote(line))'")
        }
        let payloadEnd: Int
        let payload: DynatracePayload
        if let (value, valueEnd) = Self.plainGauge(line, from: payloadStart) {
            // `gauge,<plain number>` up to a blank or the end: the token parsePayload would take.
            payloadEnd = valueEnd
            payload = .gauge(value)
        } else {
            payloadEnd = Self.tokenEnd(line, from: payloadStart)
            payload = try Self.parsePayload(line, payloadStart..<payloadEnd)
        }
        let nowMillis = options.nowMillis
        var timestampMillis = nowMillis
        let timestampStart = Self.skipBlanks(line, from: payloadEnd)
        if timestampStart < line.count,
           let value = Self.plainTimestamp(
               line, from: timestampStart, earliest: nowMillis &- options.maxPastMillis, latest: nowMillis &+ options.maxFutureMillis) {
            timestampMillis = value
        } else if timestampStart < line.count {
            let timestampEnd = Self.tokenEnd(line, from: timestampStart)
            guard Self.skipBlanks(line, from: timestampEnd) == line.count else {
                throw DynatraceLineError(.invalidTimestamp, "unexpected text after the timestamp in message '\(DynatraceLineError.quote(line))'")
            }
            timestampMillis = try Self.parseTimestamp(line, timestampStart..<timestampEnd, options)
        }
        emit(line, keyEnd: keyEnd, payload: payload, timestampMillis: timestampMillis, number: number, into: &batch, result: &result)
    }

    /// The value and end of a `gauge,<number>` payload at `start` whose number is plain (see
    /// ``plainNumber(_:)``) and ends the token (a blank or the line's end follows); nil otherwise.
    @inline(__always)
    static func plainGauge(_ line: UnsafeRawBufferPointer, from start: Int) -> (Double, Int)? {
        // `gauge,` as a little-endian 48-bit word.
        let count = line.count
        guard start &+ 8 <= count,
              Self.word(line, at: start) & 0xFFFF_FFFF_FFFF == 0x2C65_6775_6167 else { return nil }
        guard let (value, i) = Self.plainNumberPrefix(line, from: start &+ 6), i == count || Self.isBlank(line[i]) else { return nil }
        return (value, i)
    }

    /// A timestamp of 1 to 18 digits that ends the line and lies in the accepted window; nil
    /// otherwise (``parseTimestamp(_:_:_:)`` then parses it and reports the error).
    @inline(__always)
    static func plainTimestamp(_ line: UnsafeRawBufferPointer, from start: Int, earliest: Int64, latest: Int64) -> Int64? {
        let count = line.count
        guard count &- start <= 18 else { return nil }
        var value: Int64 = 0
        var i = start
        if i &+ 8 <= count {
            guard let chunk = Self.eightDigits(line, at: i) else { return nil }
            value = Int64(chunk)
            i &+= 8
        }
        if i &+ 4 <= count {
            guard let chunk = Self.fourDigits(line, at: i) else { return nil }
            value = value &* 10_000 &+ Int64(chunk)
            i &+= 4
        }
        while i < count {
            let d = line[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value &* 10 &+ Int64(d)
            i &+= 1
        }
        guard value >= earliest, value <= latest else { return nil }
        return value
    }

    /// The end of the metric key that starts a data line (the first `,` or blank, or the end),
    /// after checking the key.
    ///
    /// One word-at-a-time scan finds the first byte outside `[A-Za-z0-9_.-]` and any section
    /// starting with `.` or `-`; a key that passes it only needs its ends looked at. Any other key
    /// gives nil and is left to ``metricKeyEndFully(_:_:)``, which finds its end and checks it
    /// with ``validateMetricKey(_:_:_:)``.
    @inline(__always)
    static func metricKeyEnd(_ line: UnsafeRawBufferPointer, maxMetricKeyBytes: Int) -> Int? {
        let (stop, badSection) = Self.metricKeyRun(line, from: 0, to: line.count)
        if !badSection, stop > 0, stop <= maxMetricKeyBytes,
           stop == line.count || line[stop] == UInt8(ascii: ",") || Self.isBlank(line[stop]),
           Self.isLetter(line[0]) || line[0] == UInt8(ascii: "_"), line[stop - 1] != UInt8(ascii: "."),
           !(stop >= 3 && line[0] == UInt8(ascii: "d") && line[1] == UInt8(ascii: "t") && line[2] == UInt8(ascii: ".")) {
            return stop
        }
        return nil
    }

    /// ``metricKeyEnd(_:maxMetricKeyBytes:)`` for keys that fail the quick check: finds the end and throws the error.
    @inline(never)
    static func metricKeyEndFully(_ line: UnsafeRawBufferPointer, _ limits: DynatraceIngestLimits) throws(DynatraceLineError) -> Int {
        var keyEnd = 0
        while keyEnd < line.count, line[keyEnd] != UInt8(ascii: ","), !Self.isBlank(line[keyEnd]) { keyEnd += 1 }
        try validateMetricKey(line, 0..<keyEnd, limits)
        return keyEnd
    }

    /// Checks a metric key against the rules in ``DynatraceLineParser``.
    static func validateMetricKey(_ line: UnsafeRawBufferPointer, _ range: Range<Int>, _ limits: DynatraceIngestLimits) throws(DynatraceLineError) {
        guard !range.isEmpty else { throw DynatraceLineError(.invalidMetricKey, "invalid metric key") }
        let limit = limits.maxMetricKeyBytes
        if range.count > limit {
            throw DynatraceLineError(.invalidMetricKey, "invalid metric key: length exceeded: \(range.count) > \(limit)")
        }
        var sectionStart = true
        var firstSection = true
        for i in range {
            let b = line[i]
            if b == UInt8(ascii: ".") {
                if sectionStart { throw DynatraceLineError(.invalidMetricKey, "invalid metric key") }
                sectionStart = true
                firstSection = false
                continue
            }
            let valid: Bool
            if sectionStart {
                valid = Self.isLetter(b) || b == UInt8(ascii: "_") || (!firstSection && Self.isDigit(b))
            } else {
                valid = Self.isLetter(b) || Self.isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            }
            if !valid { throw DynatraceLineError(.invalidMetricKey, "invalid metric key") }
            sectionStart = false
        }
        if sectionStart { throw DynatraceLineError(.invalidMetricKey, "invalid metric key") }
        if range.count >= 3, line[range.lowerBound] == UInt8(ascii: "d"), line[range.lowerBound + 1] == UInt8(ascii: "t"),
           line[range.lowerBound + 2] == UInt8(ascii: ".") {
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
            throw DynatraceLineError(.reservedMetricKey, "invalid metric key '\(key)': keys starting with 'dt.' are reserved")
        }
    }

    /// Parses `12.5`, `gauge,12.5`, `gauge,min=…,max=…,sum=…,count=…` or `count,delta=…`.
    static func parsePayload(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(DynatraceLineError) -> DynatracePayload {
        let token = UnsafeRawBufferPointer(rebasing: line[range])
        if Self.hasPrefix(token, "gauge,") {
            let rest = UnsafeRawBufferPointer(rebasing: token[6...])
            // A plain number holds no `=`, so it cannot be a summary.
            if let value = Self.plainNumber(rest) { return .gauge(value) }
            let equals = Self.scan(rest, from: 0, to: rest.count) { word in (Self.bytes(word, equalTo: UInt8(ascii: "=")), 0) }.end
            if equals < rest.count { return try parseSummary(rest) }
            return .gauge(try Self.number(rest))
        }
        if Self.hasPrefix(token, "count,") {
            guard Self.hasPrefix(UnsafeRawBufferPointer(rebasing: token[6...]), "delta=") else {
                throw DynatraceLineError(.invalidMetricType, "invalid count payload in message '\(DynatraceLineError.quote(line))': expected count,delta=<number>")
            }
            return .count(try Self.number(UnsafeRawBufferPointer(rebasing: token[12...])))
        }
        guard let value = Self.parseNumber(token) else {
            throw DynatraceLineError(.invalidMetricType, "invalid metric type in message '\(DynatraceLineError.quote(line))'")
        }
        return .gauge(value)
    }

    /// Parses the integer milliseconds after the payload and checks the window.
    static func parseTimestamp(_ line: UnsafeRawBufferPointer, _ range: Range<Int>, _ options: DynatraceIngestOptions) throws(DynatraceLineError) -> Int64 {
        var value: Int64 = 0
        // 18 digits cannot overflow an Int64 (milliseconds need 13 until the year 2286).
        var valid = !range.isEmpty && range.count <= 18
        var i = range.lowerBound
        // Eight digits per step while they fit (a timestamp in milliseconds is one step and five bytes).
        while valid, i &+ 8 <= range.upperBound {
            guard let chunk = Self.eightDigits(line, at: i) else { valid = false; break }
            value = value &* 100_000_000 &+ Int64(chunk)
            i &+= 8
        }
        while valid, i < range.upperBound {
            let d = line[i] &- UInt8(ascii: "0")
            valid = d < 10
            value = value &* 10 &+ Int64(d)
            i &+= 1
        }
        guard valid else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
            throw DynatraceLineError(.invalidTimestamp, "invalid timestamp '\(text)': expected integer milliseconds since the epoch")
        }
        let now = options.nowMillis
        let earliest = now &- options.maxPastMillis
        let latest = now &+ options.maxFutureMillis
        guard value >= earliest, value <= latest else {
            throw DynatraceLineError(.timestampOutOfRange, "timestamp out of range: \(value) is not between \(earliest) and \(latest) (server time \(now) ms, accepted from \(options.maxPastMillis / 60_000) minutes before to \(options.maxFutureMillis / 60_000) minutes after)")
        }
        return value
    }

    /// The value of the eight ASCII digits at `offset` (which must leave eight bytes in the
    /// buffer), or nil when one of them is not a digit. The digits are combined pairwise, then
    /// in fours, then in eights, instead of in eight dependent multiply-adds.
    @inline(__always)
    static func eightDigits(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64? {
        // Little-endian: the first (most significant) digit is the lowest byte.
        let word = Self.word(bytes, at: offset)
        // Every byte is 0x3_ and stays 0x3_ when 6 is added: 0x30...0x39.
        guard word & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
              (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* (10 &<< 8 &+ 1)) &>> 8                                  // pairs: 10 * d0 + d1 in each even byte
        v = ((v & 0x00FF_00FF_00FF_00FF) &* (100 &<< 16 &+ 1)) &>> 16      // fours in each even 16-bit lane
        return ((v & 0x0000_FFFF_0000_FFFF) &* (10_000 &<< 32 &+ 1)) &>> 32 // eight digits
    }

    /// Appends the samples of a valid data line (``builder`` holds its dimensions) and records
    /// a key-rename warning.
    mutating func emit(
        _ line: UnsafeRawBufferPointer, keyEnd: Int, payload: DynatracePayload, timestampMillis: Int64, number: Int,
        into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) {
        let isCount = payload.isCount
        let renamed = isCount != Self.endsWithCount(line, keyEnd: keyEnd)
            && renameForPayload(line, keyEnd: keyEnd, isCount: isCount, number: number, result: &result)
        // The key as it is in the line serves single-series lines; ``name`` the rest.
        let key = renamed ? nil : UnsafeRawBufferPointer(rebasing: line[0..<keyEnd])
        switch payload {
        case .gauge(let value):
            append(kind: .gauge, key: key, suffix: nil, timestampMillis: timestampMillis, value: value, into: &batch, result: &result)
        case .count(let value):
            append(kind: .count, key: key, suffix: nil, timestampMillis: timestampMillis, value: value, into: &batch, result: &result)
        case .summary(let min, let max, let sum, let count):
            if !renamed {
                name.removeAll(keepingCapacity: true)
                name.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<keyEnd]))
            }
            if count > 0 {
                append(kind: .summary, key: nil, suffix: nil, timestampMillis: timestampMillis, value: sum / count, into: &batch, result: &result)
            }
            append(kind: .summary, key: nil, suffix: .min, timestampMillis: timestampMillis, value: min, into: &batch, result: &result)
            append(kind: .summary, key: nil, suffix: .max, timestampMillis: timestampMillis, value: max, into: &batch, result: &result)
            append(kind: .summary, key: nil, suffix: .sum, timestampMillis: timestampMillis, value: sum, into: &batch, result: &result)
            append(kind: .summary, key: nil, suffix: .count, timestampMillis: timestampMillis, value: count, into: &batch, result: &result)
        }
    }

    /// Whether the key `line[0..<keyEnd]` ends with `.count` (``hasSuffix(_:_:)`` with two loads).
    @inline(__always)
    static func endsWithCount(_ line: UnsafeRawBufferPointer, keyEnd: Int) -> Bool {
        guard keyEnd >= 6 else { return false }
        // `.cou` and `nt` as little-endian words.
        return UInt32(littleEndian: line.loadUnaligned(fromByteOffset: keyEnd &- 6, as: UInt32.self)) == 0x756F_632E
            && UInt16(littleEndian: line.loadUnaligned(fromByteOffset: keyEnd &- 2, as: UInt16.self)) == 0x746E
    }

    /// Whether the key is stored renamed: `.count` added to a count key that lacks it, `.gauge`
    /// to a gauge key ending in `.count`. Then ``name`` holds the new name and the rename is
    /// recorded as a warning.
    mutating func renameForPayload(_ line: UnsafeRawBufferPointer, keyEnd: Int, isCount: Bool, number: Int, result: inout DynatraceIngestResult) -> Bool {
        let key = UnsafeRawBufferPointer(rebasing: line[0..<keyEnd])
        let endsWithCount = Self.hasSuffix(key, ".count")
        guard isCount != endsWithCount else { return false }
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: key)
        name.append(contentsOf: isCount ? DynatraceSeriesNaming.countSuffix : DynatraceSeriesNaming.gaugeSuffix)
        result.warningCount += 1
        if result.warnings.count < options.limits.maxReportedWarnings {
            let original = String(decoding: key, as: UTF8.self)
            let renamed = String(decoding: name, as: UTF8.self)
            result.warnings.append(DynatraceLineIssue(line: number, message: "metric key '\(original)' changed to '\(renamed)'"))
        }
        return true
    }

    /// Appends one sample under `key` when given, else under ``name`` plus a summary suffix, with
    /// the line's dimensions.
    mutating func append(
        kind: MetricKind, key: UnsafeRawBufferPointer?, suffix: DynatraceSeriesNaming.SummaryPart?, timestampMillis: Int64, value: Double,
        into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) {
        // The builder keeps the last `__name__` added, so one builder serves all parts of a summary.
        if let key {
            builder.add(name: Labels.metricNameKeyBytes, value: key)
        } else {
            let base = name.count
            if let suffix { name.append(contentsOf: suffix.suffix.utf8) }
            name.withUnsafeBytes { value in builder.add(name: Labels.metricNameKeyBytes, value: value) }
            name.removeLast(name.count - base)
        }
        let slot = batch.beginSeries(builder, kind: kind)
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
        result.samplesAccepted += 1
    }

    static func hasSuffix(_ bytes: UnsafeRawBufferPointer, _ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let p = suffix.utf8Start
        let offset = bytes.count - count
        for i in 0..<count where bytes[offset + i] != p[i] { return false }
        return true
    }

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[i] != p[i] { return false }
        return true
    }
}
