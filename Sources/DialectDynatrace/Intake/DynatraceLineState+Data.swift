#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel

extension DynatraceLineState {
    /// Parses `key[,dimensions] payload [timestamp]` and appends its samples.
    mutating func parseDataLine(
        _ line: UnsafeRawBufferPointer, number: Int, into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) throws(DynatraceLineError) {
        var keyEnd = 0
        while keyEnd < line.count, line[keyEnd] != UInt8(ascii: ","), !Self.isBlank(line[keyEnd]) { keyEnd += 1 }
        try validateMetricKey(line, 0..<keyEnd)
        values.removeAll(keepingCapacity: true)
        dimensions.removeAll(keepingCapacity: true)
        var i = keyEnd
        if i < line.count, line[i] == UInt8(ascii: ",") {
            i = try parseDimensions(line, from: i + 1)
        }
        let payloadStart = Self.skipBlanks(line, from: i)
        guard payloadStart < line.count else {
            throw DynatraceLineError(.invalidMetricType, "invalid metric type in message '\(DynatraceLineError.quote(line))'")
        }
        let payloadEnd = Self.tokenEnd(line, from: payloadStart)
        let payload = try parsePayload(line, payloadStart..<payloadEnd)
        var timestampMillis = options.nowMillis
        let timestampStart = Self.skipBlanks(line, from: payloadEnd)
        if timestampStart < line.count {
            let timestampEnd = Self.tokenEnd(line, from: timestampStart)
            guard Self.skipBlanks(line, from: timestampEnd) == line.count else {
                throw DynatraceLineError(.invalidTimestamp, "unexpected text after the timestamp in message '\(DynatraceLineError.quote(line))'")
            }
            timestampMillis = try parseTimestamp(line, timestampStart..<timestampEnd)
        }
        emit(line, keyEnd: keyEnd, payload: payload, timestampMillis: timestampMillis, number: number, into: &batch, result: &result)
    }

    /// Checks a metric key against the rules in ``DynatraceLineParser``.
    func validateMetricKey(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(DynatraceLineError) {
        guard !range.isEmpty else { throw DynatraceLineError(.invalidMetricKey, "invalid metric key") }
        let limit = options.limits.maxMetricKeyBytes
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
    func parsePayload(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(DynatraceLineError) -> DynatracePayload {
        let token = UnsafeRawBufferPointer(rebasing: line[range])
        if Self.hasPrefix(token, "gauge,") {
            let rest = UnsafeRawBufferPointer(rebasing: token[6...])
            if rest.contains(UInt8(ascii: "=")) { return try parseSummary(rest) }
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
    func parseTimestamp(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(DynatraceLineError) -> Int64 {
        var value: Int64 = 0
        // 18 digits cannot overflow an Int64 (milliseconds need 13 until the year 2286).
        var valid = !range.isEmpty && range.count <= 18
        for i in range where valid {
            let d = line[i] &- UInt8(ascii: "0")
            if d >= 10 { valid = false; break }
            value = value * 10 + Int64(d)
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

    /// Appends the samples of a valid data line and records a key-rename warning.
    mutating func emit(
        _ line: UnsafeRawBufferPointer, keyEnd: Int, payload: DynatracePayload, timestampMillis: Int64, number: Int,
        into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) {
        renameForPayload(line, keyEnd: keyEnd, isCount: payload.isCount, number: number, result: &result)
        builder.reset()
        values.withUnsafeBytes { valueBytes in
            for dimension in dimensions {
                builder.add(
                    name: UnsafeRawBufferPointer(rebasing: line[dimension.keyStart..<dimension.keyEnd]),
                    value: UnsafeRawBufferPointer(rebasing: valueBytes[dimension.valueStart..<dimension.valueEnd]))
            }
        }
        switch payload {
        case .gauge(let value):
            append(kind: .gauge, suffix: nil, timestampMillis: timestampMillis, value: value, into: &batch, result: &result)
        case .count(let value):
            append(kind: .count, suffix: nil, timestampMillis: timestampMillis, value: value, into: &batch, result: &result)
        case .summary(let min, let max, let sum, let count):
            if count > 0 {
                append(kind: .summary, suffix: nil, timestampMillis: timestampMillis, value: sum / count, into: &batch, result: &result)
            }
            append(kind: .summary, suffix: .min, timestampMillis: timestampMillis, value: min, into: &batch, result: &result)
            append(kind: .summary, suffix: .max, timestampMillis: timestampMillis, value: max, into: &batch, result: &result)
            append(kind: .summary, suffix: .sum, timestampMillis: timestampMillis, value: sum, into: &batch, result: &result)
            append(kind: .summary, suffix: .count, timestampMillis: timestampMillis, value: count, into: &batch, result: &result)
        }
    }

    /// Sets ``name`` to the key, with `.count` added to a count key that lacks it and `.gauge` to a
    /// gauge key ending in `.count`, and records the rename as a warning.
    mutating func renameForPayload(_ line: UnsafeRawBufferPointer, keyEnd: Int, isCount: Bool, number: Int, result: inout DynatraceIngestResult) {
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<keyEnd]))
        let suffix = DynatraceSeriesNaming.countSuffix
        let endsWithCount = name.count >= suffix.count && name.withUnsafeBytes { bytes in
            suffix.withUnsafeBytes { s in memcmp(bytes.baseAddress! + (bytes.count - s.count), s.baseAddress!, s.count) == 0 }
        }
        guard isCount != endsWithCount else { return }
        name.append(contentsOf: isCount ? DynatraceSeriesNaming.countSuffix : DynatraceSeriesNaming.gaugeSuffix)
        result.warningCount += 1
        if result.warnings.count < options.limits.maxReportedWarnings {
            let original = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<keyEnd]), as: UTF8.self)
            let renamed = String(decoding: name, as: UTF8.self)
            result.warnings.append(DynatraceLineIssue(line: number, message: "metric key '\(original)' changed to '\(renamed)'"))
        }
    }

    /// Appends one sample under `name` (plus a summary suffix) and the line's dimensions.
    mutating func append(
        kind: MetricKind, suffix: DynatraceSeriesNaming.SummaryPart?, timestampMillis: Int64, value: Double,
        into batch: inout MetricBatch, result: inout DynatraceIngestResult
    ) {
        let base = name.count
        if let suffix { name.append(contentsOf: suffix.suffix.utf8) }
        // The builder keeps the last `__name__` added, so one builder serves all parts of a summary.
        DynatraceSeriesNaming.metricNameKey.withUnsafeBytes { key in
            name.withUnsafeBytes { value in builder.add(name: key, value: value) }
        }
        name.removeLast(name.count - base)
        let slot = batch.beginSeries(builder, kind: kind)
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
        result.samplesAccepted += 1
    }

    static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[i] != p[i] { return false }
        return true
    }
}
