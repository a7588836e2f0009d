import BasinWire

/// Reads the body of `POST /events` as Blueflood does (`HttpEventsIngestionHandler`, Jackson 1
/// binding `Event`): one object with `what`, `when`, `tags`, `data` and nothing else.
///
/// Failures: any syntax or binding error is a generic `Invalid Data: <parser message>`; a
/// second root value is `Invalid Data: Only one event is allowed per request`; validation
/// errors (`what` empty, `when` outside the window, this server's length limits) are one entry
/// each with `timestamp` = `when` and `metricName` `""`.
struct BluefloodEventReader {
    let options: BluefloodIntakeOptions
    let tenantId: String

    /// The fields of one event object as bound (nil: absent or `null`), with their full lengths.
    private struct Fields {
        var what: String?
        var whatBytes = 0
        var when: Int64 = 0
        var tags: String?
        var tagsBytes = 0
        var data: String?
        var dataBytes = 0
    }

    func decode(_ body: UnsafeRawBufferPointer) -> Result<BluefloodEvent, BluefloodIntakeFailure> {
        var scanner = BluefloodJSON.scanner(body)
        let fields: Fields
        do throws(WireError) {
            guard scanner.peekToken() != .end else {
                return invalid("No content to map to Object due to end of input")
            }
            fields = try readObject(&scanner)
            if scanner.peekToken() != .end {
                // A second value: "only one" if it is itself an event, else its parse error.
                _ = try readObject(&scanner)
                return invalid("Only one event is allowed per request")
            }
        } catch {
            return invalid(error.message)
        }
        var errors: [BluefloodErrorEntry] = []
        func fail(_ source: String, _ message: String) {
            errors.append(BluefloodErrorEntry(tenantId: tenantId, timestamp: fields.when, metricName: "", source: source, message: message))
        }
        if fields.whatBytes == 0 {
            fail("what", "may not be empty")
        } else if fields.whatBytes > options.maxEventTextBytes {
            fail("what", BluefloodIntakeOptions.overLimit("what", bytes: fields.whatBytes, limit: options.maxEventTextBytes))
        }
        if !options.isInWindow(fields.when) {
            fail("when", options.outOfBoundsMessage)
        }
        for (source, bytes) in [("tags", fields.tagsBytes), ("data", fields.dataBytes)] where bytes > options.maxEventTextBytes {
            fail(source, BluefloodIntakeOptions.overLimit(source, bytes: bytes, limit: options.maxEventTextBytes))
        }
        guard errors.isEmpty else { return .failure(.errors(errors)) }
        return .success(BluefloodEvent(
            what: fields.what ?? "", when: fields.when, tags: fields.tags ?? "", data: fields.data ?? "", tenantId: tenantId))
    }

    private func invalid(_ message: String) -> Result<BluefloodEvent, BluefloodIntakeFailure> {
        .failure(.generic(tenantId, "Invalid Data: " + message))
    }

    private func readObject(_ scanner: inout JSONScanner) throws(WireError) -> Fields {
        var fields = Fields()
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "what") {
                (fields.what, fields.whatBytes) = try readText(&scanner)
            } else if ByteText.equals(key, "when") {
                fields.when = try BluefloodJSON.readJacksonInteger(&scanner, in: Int64.min...Int64.max)
            } else if ByteText.equals(key, "tags") {
                (fields.tags, fields.tagsBytes) = try readText(&scanner)
            } else if ByteText.equals(key, "data") {
                (fields.data, fields.dataBytes) = try readText(&scanner)
            } else {
                let name = String(decoding: key, as: UTF8.self)
                throw WireError(.typeMismatch, "Unrecognized field \"\(name)\" (Class com.rackspacecloud.blueflood.types.Event), not marked as ignorable", offset: nil)
            }
        }
        return fields
    }

    /// A scalar as text, kept up to the limit; its full length beside it.
    private func readText(_ scanner: inout JSONScanner) throws(WireError) -> (String?, Int) {
        guard let text = try BluefloodJSON.readScalarText(&scanner) else { return (nil, 0) }
        let kept = UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, max(options.maxEventTextBytes, 0))])
        return (String(decoding: kept, as: UTF8.self), text.count)
    }
}
