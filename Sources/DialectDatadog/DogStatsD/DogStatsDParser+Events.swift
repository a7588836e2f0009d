extension DogStatsDParser {
    // MARK: Events

    /// `_e{<title bytes>,<text bytes>}:<title>|<text>[|d:…][|h:…][|k:…][|p:…][|s:…][|t:…][|#…]`
    /// (spec §5.3). The lengths are UTF-8 byte counts, so `|` inside the title is legal. Invalid
    /// optional fields are ignored and the event kept, as the Agent does; the Agent's defaults
    /// (priority `normal`, alert type `info`) are filled in.
    func parseEvent(_ line: UnsafeRawBufferPointer) throws(DogStatsDParseError) -> DatadogEvent {
        var i = 3   // after `_e{`
        guard let titleLength = Self.readLength(line, &i, until: UInt8(ascii: ",")),
              let textLength = Self.readLength(line, &i, until: UInt8(ascii: "}")),
              i < line.count, line[i] == UInt8(ascii: ":")
        else {
            throw DogStatsDParseError("invalid event header (expected _e{<title length>,<text length>}:)")
        }
        i += 1
        guard titleLength > 0 else { throw DogStatsDParseError("invalid event: empty title") }
        let remaining = line.count - i
        guard titleLength <= remaining, textLength <= remaining, titleLength + 1 + textLength <= remaining else {
            throw DogStatsDParseError("invalid event: the declared title and text lengths exceed the line")
        }
        guard titleLength <= limits.maxEventTitleBytes else {
            throw DogStatsDParseError("event title of \(titleLength) bytes exceeds the limit of \(limits.maxEventTitleBytes) bytes")
        }
        guard line[i + titleLength] == UInt8(ascii: "|") else {
            throw DogStatsDParseError("invalid event: no \"|\" after the title")
        }
        let title = Self.unescapeNewlines(Self.slice(line, i, i + titleLength))
        let textStart = i + titleLength + 1
        let text = Self.unescapeNewlines(Self.slice(line, textStart, textStart + textLength))
        var event = DatadogEvent(
            title: title, text: DatadogEvent.truncated(text, maxCharacters: limits.maxEventTextCharacters),
            priority: "normal", alertType: "info")
        var fieldStart = textStart + textLength
        guard fieldStart == line.count || line[fieldStart] == UInt8(ascii: "|") else {
            throw DogStatsDParseError("invalid event: unexpected bytes after the text")
        }
        fieldStart += 1
        while fieldStart < line.count {
            let fieldEnd = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: fieldStart) ?? line.count
            try parseEventField(Self.slice(line, fieldStart, fieldEnd), into: &event)
            fieldStart = fieldEnd + 1
        }
        return event
    }

    private func parseEventField(_ field: UnsafeRawBufferPointer, into event: inout DatadogEvent) throws(DogStatsDParseError) {
        if field.first == UInt8(ascii: "#") {
            try parseEventTags(Self.slice(field, 1, field.count), into: &event.tags)
            return
        }
        guard field.count >= 2, field[1] == UInt8(ascii: ":") else { return }
        let value = Self.slice(field, 2, field.count)
        switch field[0] {
        case UInt8(ascii: "d"):
            if let seconds = Self.integer(value) { event.dateHappenedSeconds = seconds }
        case UInt8(ascii: "h"): event.host = Self.string(value)
        case UInt8(ascii: "k"): event.aggregationKey = Self.string(value)
        case UInt8(ascii: "s"): event.sourceTypeName = Self.string(value)
        case UInt8(ascii: "p"):
            let priority = Self.string(value)
            if priority == "low" || priority == "normal" { event.priority = priority }
        case UInt8(ascii: "t"):
            let alert = Self.string(value)
            if ["error", "warning", "info", "success"].contains(alert) { event.alertType = alert }
        default:
            break   // `c:`, `card:`, unknown: ignored
        }
    }

    private func parseEventTags(_ raw: UnsafeRawBufferPointer, into tags: inout [String]) throws(DogStatsDParseError) {
        var start = 0
        while start < raw.count {
            let end = Self.firstIndex(of: UInt8(ascii: ","), in: raw, from: start) ?? raw.count
            if end > start {
                guard tags.count < limits.maxTags else { throw DogStatsDParseError("more than \(limits.maxTags) tags") }
                guard end - start <= limits.maxTagBytes else {
                    throw DogStatsDParseError("tag of \(end - start) bytes exceeds the limit of \(limits.maxTagBytes) bytes")
                }
                tags.append(Self.string(Self.slice(raw, start, end)))
            }
            start = end + 1
        }
    }

    // MARK: Service checks

    /// `_sc|<name>|<status>[|d:…][|h:…][|#…][|m:…]` (spec §5.4): status `0`–`3`; repeated fields,
    /// last wins; the message's escaped newlines and `m\:` are restored.
    func parseServiceCheck(_ line: UnsafeRawBufferPointer) throws(DogStatsDParseError) -> DatadogServiceCheck {
        var fields: [UnsafeRawBufferPointer] = []
        var start = 0
        while start <= line.count {
            let end = Self.firstIndex(of: UInt8(ascii: "|"), in: line, from: start) ?? line.count
            fields.append(Self.slice(line, start, end))
            start = end + 1
        }
        guard fields.count >= 3, !fields[1].isEmpty else {
            throw DogStatsDParseError("invalid service check: expected _sc|<name>|<status>")
        }
        let status = fields[2]
        guard status.count == 1, (UInt8(ascii: "0")...UInt8(ascii: "3")).contains(status[0]) else {
            throw DogStatsDParseError("invalid service check status \"\(Self.string(status.prefix(16)))\" (expected 0, 1, 2 or 3)")
        }
        guard fields[1].count <= limits.maxNameBytes else {
            throw DogStatsDParseError("service check name of \(fields[1].count) bytes exceeds the limit of \(limits.maxNameBytes) bytes")
        }
        var check = DatadogServiceCheck(check: Self.string(fields[1]), status: Int(status[0] - UInt8(ascii: "0")))
        for field in fields.dropFirst(3) {
            if field.first == UInt8(ascii: "#") {
                var tags: [String] = []
                try parseEventTags(Self.slice(field, 1, field.count), into: &tags)
                check.tags = tags
                continue
            }
            guard field.count >= 2, field[1] == UInt8(ascii: ":") else { continue }
            let value = Self.slice(field, 2, field.count)
            switch field[0] {
            case UInt8(ascii: "d"):
                if let seconds = Self.integer(value) { check.timestampSeconds = seconds }
            case UInt8(ascii: "h"): check.hostName = value.isEmpty ? nil : Self.string(value)
            case UInt8(ascii: "m"): check.message = Self.unescapeServiceCheckMessage(value)
            default: break
            }
        }
        return check
    }

    // MARK: Helpers

    /// Reads decimal digits up to `terminator` (consumed); nil when there are none, another byte
    /// comes first or the number exceeds the line.
    static func readLength(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, until terminator: UInt8) -> Int? {
        var value = 0
        let start = i
        while i < bytes.count, bytes[i] != terminator {
            let b = bytes[i]
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), value <= bytes.count else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
            i += 1
        }
        guard i < bytes.count, i > start, value <= bytes.count else { return nil }
        i += 1
        return value
    }

    /// The text with every two-byte `\n` (backslash, `n`) turned into a newline; other
    /// backslashes are kept (Agent `parse_events.go`).
    static func unescapeNewlines(_ bytes: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "n") {
                out.append(UInt8(ascii: "\n"))
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return string(out)
    }

    /// A service check message with `\n` and `m\:` (datadogpy's escapes) restored.
    static func unescapeServiceCheckMessage(_ bytes: UnsafeRawBufferPointer) -> String {
        unescapeNewlines(bytes).replacing("m\\:", with: "m:")
    }
}
