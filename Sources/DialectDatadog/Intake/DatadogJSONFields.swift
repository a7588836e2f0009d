import BasinModel
import BasinWire

/// Typed member readers shared by the record-shaped Datadog decoders (events, service checks,
/// logs, Agent `/intake/`). Each reads one JSON value at the scanner's position and throws a
/// ``WireError`` naming the member when the type is wrong or a limit is passed.
enum DatadogJSONFields {
    /// A string or `null` (nil); `""` is returned as is.
    ///
    /// - Throws: `typeMismatch` for another type; `limitExceeded` above `maxBytes`, naming `limitName`.
    static func string(
        _ scanner: inout JSONScanner, field: String, maxBytes: Int, limitName: String = "maxFieldBytes"
    ) throws(WireError) -> String? {
        let token = scanner.peekToken()
        guard token == .string || token == .null else {
            throw scanner.mismatch(expected: "a string or null", found: token).withContext(field)
        }
        let offset = scanner.position
        guard let raw = try scanner.readStringOrNull() else { return nil }
        if raw.count > maxBytes {
            throw WireError(.limitExceeded, "\(field) of \(raw.count) bytes exceeds the limit of \(maxBytes) bytes (\(limitName))", offset: offset)
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A string or `null` cut to `maxBytes` at a UTF-8 boundary (for values Datadog truncates).
    static func truncatedString(_ scanner: inout JSONScanner, field: String, maxBytes: Int) throws(WireError) -> String? {
        let token = scanner.peekToken()
        guard token == .string || token == .null else {
            throw scanner.mismatch(expected: "a string or null", found: token).withContext(field)
        }
        guard let raw = try scanner.readStringOrNull() else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[..<utf8Boundary(raw, atMost: maxBytes)]), as: UTF8.self)
    }

    /// The largest prefix length ≤ `limit` that does not split a UTF-8 sequence.
    static func utf8Boundary(_ bytes: UnsafeRawBufferPointer, atMost limit: Int) -> Int {
        guard bytes.count > limit else { return bytes.count }
        var end = max(0, limit)
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    /// A whole number of seconds (integer or fractional, truncated) or `null` (nil).
    static func seconds(_ scanner: inout JSONScanner, field: String) throws(WireError) -> Int64? {
        let token = scanner.peekToken()
        guard token == .number || token == .null else {
            throw scanner.mismatch(expected: "a number or null", found: token).withContext(field)
        }
        if try scanner.readNull() { return nil }
        let offset = scanner.position
        let decimal = try scanner.readDecimal()
        guard let value = decimal.scaledInt64(byPowerOfTen: 0) else {
            throw WireError(.invalidNumber, "\(field) out of range", offset: offset)
        }
        return value
    }

    /// A JSON integer or `null` (nil); a fraction is an error.
    static func integer(_ scanner: inout JSONScanner, field: String) throws(WireError) -> Int64? {
        let token = scanner.peekToken()
        guard token == .number || token == .null else {
            throw scanner.mismatch(expected: "an integer or null", found: token).withContext(field)
        }
        if try scanner.readNull() { return nil }
        let offset = scanner.position
        let decimal = try scanner.readDecimal()
        guard !decimal.hasFractionOrExponent, let value = decimal.scaledInt64(byPowerOfTen: 0) else {
            throw WireError(.typeMismatch, "\(field) must be an integer", offset: offset)
        }
        return value
    }

    /// An array of strings or `null` (empty). Empty strings are skipped.
    ///
    /// - Throws: `typeMismatch` for a non-string element; `limitExceeded` past `limits.maxTags`
    ///   tags or for a tag longer than `limits.maxTagBytes`.
    static func tags(_ scanner: inout JSONScanner, field: String, limits: DatadogRecordLimits) throws(WireError) -> [String] {
        if try scanner.readNull() { return [] }
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext(field)
        }
        var tags: [String] = []
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            let token = scanner.peekToken()
            guard token == .string else {
                throw scanner.mismatch(expected: "a string", found: token).withContext("\(field)[\(index)]")
            }
            let offset = scanner.position
            let raw = try scanner.readString()
            index += 1
            guard raw.count > 0 else { continue }
            try checkTag(bytes: raw.count, count: tags.count + 1, field: field, limits: limits, offset: offset)
            tags.append(String(decoding: raw, as: UTF8.self))
        }
        return tags
    }

    /// Splits a comma-separated tag string (`env:prod,version:5`, Datadog's `ddtags`), trimming
    /// spaces and skipping empty entries.
    static func splitTags(_ text: String, field: String, limits: DatadogRecordLimits, into tags: inout [String]) throws(WireError) {
        for part in text.split(separator: ",") {
            let tag = part.trimmingASCIISpaces()
            guard !tag.isEmpty else { continue }
            try checkTag(bytes: tag.utf8.count, count: tags.count + 1, field: field, limits: limits, offset: nil)
            tags.append(tag)
        }
    }

    static func checkTag(bytes: Int, count: Int, field: String, limits: DatadogRecordLimits, offset: Int?) throws(WireError) {
        if bytes > limits.maxTagBytes {
            throw WireError(.limitExceeded, "\(field): a tag of \(bytes) bytes exceeds the limit of \(limits.maxTagBytes) bytes (maxTagBytes)", offset: offset)
        }
        if count > limits.maxTags {
            throw WireError(.limitExceeded, "\(field): more than \(limits.maxTags) tags exceeds the limit of \(limits.maxTags) tags (maxTags)", offset: offset)
        }
    }

    /// Runs `body` over the readable bytes of a buffer-like value, turning the typed throw into a result.
    static func withBytes<T>(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int, allowsNonFinite: Bool = false,
        _ body: (inout JSONScanner) throws(WireError) -> T
    ) throws(WireError) -> T {
        var scanner = JSONScanner(bytes: bytes, maxDepth: maxDepth, allowsNonFiniteLiterals: allowsNonFinite)
        if scanner.peekToken() == .end {
            throw WireError(.unexpectedEnd, "empty request body, expected JSON", offset: 0)
        }
        let value = try body(&scanner)
        try scanner.readEnd()
        return value
    }
}

extension Substring {
    /// The text without leading and trailing ASCII spaces and tabs.
    func trimmingASCIISpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
