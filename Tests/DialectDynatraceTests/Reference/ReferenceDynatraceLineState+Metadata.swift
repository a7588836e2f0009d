// The parser as it was before the word-at-a-time fast paths, kept as the reference that
// DynatraceReferenceComparisonTests compares the parser with. Types are renamed with a Reference prefix.
@testable import DialectDynatrace
extension ReferenceDynatraceLineState {
    /// Parses `#<key> <gauge|count> dt.meta.<property>=<value>[,…]` into ``DynatraceIngestResult/metadata``.
    ///
    /// Properties `unit`, `description` and `displayName` are matched case-insensitively (the
    /// Java utils write `displayName`, the Dynatrace docs `displayname`); other `dt.meta.*`
    /// properties are ignored. `count` targets `<key>.count` and `gauge` on a `.count` key
    /// `<key>.count.gauge`, as for data lines. Within one body the first metadata line of a
    /// metric wins (Dynatrace: "only the first occurrence is used").
    mutating func parseMetadataLine(_ line: UnsafeRawBufferPointer, result: inout DynatraceIngestResult) throws(DynatraceLineError) {
        let keyEnd = Self.tokenEnd(line, from: 1)
        try Self.validateMetricKey(line, 1..<keyEnd, options.limits)
        let typeStart = Self.skipBlanks(line, from: keyEnd)
        let typeEnd = Self.tokenEnd(line, from: typeStart)
        let type = UnsafeRawBufferPointer(rebasing: line[typeStart..<typeEnd])
        let isCount = type.elementsEqual("count".utf8)
        guard isCount || type.elementsEqual("gauge".utf8) else {
            throw Self.invalidMetadata(line, "expected gauge or count after the metric key")
        }
        var i = Self.skipBlanks(line, from: typeEnd)
        guard i < line.count else { throw Self.invalidMetadata(line, "expected dt.meta.<property>=<value>") }
        var metadata = DynatraceMetricMetadata(metricName: Self.metadataName(line, 1..<keyEnd, isCount: isCount))
        values.removeAll(keepingCapacity: true)
        while true {
            let propertyStart = i
            while i < line.count, line[i] != UInt8(ascii: "="), line[i] != UInt8(ascii: ","), !Self.isBlank(line[i]) { i += 1 }
            let property = UnsafeRawBufferPointer(rebasing: line[propertyStart..<i])
            guard i < line.count, line[i] == UInt8(ascii: "="), Self.hasPrefix(property, "dt.meta.") else {
                throw Self.invalidMetadata(line, "expected dt.meta.<property>=<value>")
            }
            i += 1
            let valueStart = values.count
            if i < line.count, line[i] == UInt8(ascii: "\"") {
                i = try readQuoted(line, from: i + 1, newlineEscapes: true)
            } else {
                i = try readUnquoted(line, from: i, newlineEscapes: true)
            }
            let value = try metadataValue(from: valueStart)
            Self.assign(value, to: UnsafeRawBufferPointer(rebasing: property[8...]), in: &metadata)
            if i < line.count, line[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard Self.skipBlanks(line, from: i) == line.count else {
                throw Self.invalidMetadata(line, "unexpected text after the properties")
            }
            break
        }
        if !result.metadata.contains(where: { $0.metricName == metadata.metricName }) {
            result.metadata.append(metadata)
        }
    }

    /// The value just read, checked for length and UTF-8.
    func metadataValue(from valueStart: Int) throws(DynatraceLineError) -> String {
        let limit = options.limits.maxMetadataValueBytes
        guard values.count - valueStart <= limit else {
            throw DynatraceLineError(.invalidMetadata, "metadata value length exceeded: \(values.count - valueStart) bytes > \(limit) bytes")
        }
        let value = values.withUnsafeBytes { bytes -> String? in
            guard Self.isValidUTF8(bytes, valueStart..<bytes.count) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart...]), as: UTF8.self)
        }
        guard let value else { throw DynatraceLineError(.invalidMetadata, "metadata value is not valid UTF-8") }
        return value
    }

    /// Stores a property by its name after `dt.meta.`, case-insensitively; unknown names are ignored.
    static func assign(_ value: String, to property: UnsafeRawBufferPointer, in metadata: inout DynatraceMetricMetadata) {
        let lowered = property.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }
        if lowered.elementsEqual("unit".utf8) {
            metadata.unit = value
        } else if lowered.elementsEqual("description".utf8) {
            metadata.description = value
        } else if lowered.elementsEqual("displayname".utf8) {
            metadata.displayName = value
        }
    }

    /// The metric name a metadata line targets, after the `.count` / `.gauge` suffix rules.
    static func metadataName(_ line: UnsafeRawBufferPointer, _ range: Range<Int>, isCount: Bool) -> String {
        var name = String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
        let endsWithCount = name.hasSuffix(".count")
        if isCount, !endsWithCount { name += ".count" }
        if !isCount, endsWithCount { name += ".gauge" }
        return name
    }

    static func invalidMetadata(_ line: UnsafeRawBufferPointer, _ detail: String) -> DynatraceLineError {
        DynatraceLineError(.invalidMetadata, "invalid metadata line '\(DynatraceLineError.quote(line))': \(detail)")
    }
}
