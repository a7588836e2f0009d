import BasinModel
import BasinWire

extension AxiomIngestDecoder {
    /// `text/csv`: RFC 4180 records separated by LF or CRLF, fields by
    /// ``AxiomIngestOptions/csvDelimiter``, `"` quoting with `""` for a quote. The first record
    /// names the fields unless ``AxiomIngestOptions/csvFields`` does. Blank lines are skipped.
    ///
    /// Values are typed as Axiom's Go server reads them (quoting is not kept): a JSON-grammar
    /// integer that fits `Int64` is `.int`, another JSON-grammar number `.float` (so `007` and
    /// `1.` stay strings), `true`/`false` are booleans, an empty value leaves the field out, and
    /// anything else is a string. A row with a different number of values than there are
    /// field names fails as one event.
    func decodeCSV(_ body: UnsafeRawBufferPointer, into state: inout AxiomEventState) throws(WireError) {
        var reader = CSVReader(bytes: body, delimiter: options.csvDelimiter)
        var names: [String]? = options.csvFields.isEmpty ? nil : options.csvFields
        while let row = try reader.readRecord() {
            if row.values.count == 1, row.values[0].isEmpty { continue }
            guard let header = names else {
                names = row.values
                continue
            }
            try state.countEvent()
            guard row.values.count == header.count else {
                state.fail(
                    error: "CSV record on line \(row.line) has \(row.values.count) fields, expected \(header.count)",
                    timeNanos: nil)
                continue
            }
            var event = AxiomEventState.Event()
            for (name, text) in zip(header, row.values) where !text.isEmpty {
                state.check(pathBytes: name.utf8.count, name: name, counts: true, in: &event)
                let value = text.utf8.count > options.limits.maxStringBytes
                    ? FieldValue.string(AxiomIngestLimits.tooLongPlaceholder) : Self.csvValue(text)
                state.add(name, value, to: &event)
            }
            state.finish(event)
        }
    }

    /// The typed value of a CSV field.
    static func csvValue(_ text: String) -> FieldValue {
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else {
            return .string(text)
        }
        var copy = text
        return copy.withUTF8 { bytes -> FieldValue in
            let raw = UnsafeRawBufferPointer(bytes)
            guard let (decimal, end) = try? DecimalParser.parseJSONNumber(raw, from: 0), end == raw.count else {
                return .string(text)
            }
            if !decimal.hasFractionOrExponent, let integer = decimal.scaledInt64(byPowerOfTen: 0) { return .int(integer) }
            let value = DecimalParser.double(decimal, text: raw)
            return value.isFinite ? .float(value) : .string(text)
        }
    }
}

/// Reads RFC 4180 records from bytes.
struct CSVReader {
    let bytes: UnsafeRawBufferPointer
    let delimiter: UInt8
    var position = 0
    var line = 1

    /// One record and the line it started on.
    struct Row {
        var values: [String]
        var line: Int
    }

    /// The next record, or nil at the end.
    /// - Throws: `badRequest` for a quoted field that never closes.
    mutating func readRecord() throws(WireError) -> Row? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var values: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quoteStart = 0
        while position < bytes.count {
            let b = bytes[position]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        position += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                position += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\"") where field.isEmpty:
                inQuotes = true
                quoteStart = position
                position += 1
            case delimiter:
                values.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                position += 1
            case 0x0A:
                position += 1
                line += 1
                if field.last == 0x0D { field.removeLast() }
                values.append(String(decoding: field, as: UTF8.self))
                return Row(values: values, line: startLine)
            default:
                field.append(b)
                position += 1
            }
        }
        if inQuotes {
            throw WireError(.unexpectedEnd, "CSV quoted field starting on line \(startLine) is not closed", offset: quoteStart)
        }
        if field.last == 0x0D { field.removeLast() }
        values.append(String(decoding: field, as: UTF8.self))
        return Row(values: values, line: startLine)
    }
}
