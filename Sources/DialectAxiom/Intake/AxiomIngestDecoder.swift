import BasinModel
import BasinWire
import NIOCore

/// Decodes an Axiom ingest body (already decompressed) into records: JSON arrays, NDJSON and
/// CSV, with Axiom's field rules and `_time` rules (spec `axiom.md` §5).
///
/// Outcomes:
/// - a request that cannot be read as a whole (a malformed JSON array, an unterminated CSV
///   quote, an invalid `X-Axiom-Event-Labels` value) throws a ``WireError`` of kind
///   `badRequest` (`400`); more than ``AxiomIngestLimits/maxEventsPerRequest`` events throws
///   one of kind `payloadTooLarge` (`413`);
/// - otherwise every event is either a record or a failure of the batch (`200` with
///   `failures`): an unparseable explicit timestamp, a field name over the limit, too many
///   fields, a JSON value that is not an object, an NDJSON line that is not valid JSON, a CSV
///   row with the wrong number of values.
///
/// Nested objects are kept as sent (``FieldValue/object(_:)`` with member order); `_time`
/// becomes ``Record/timeNanos`` and is not kept as a field.
public struct AxiomIngestDecoder: Sendable {
    public let options: AxiomIngestOptions

    public init(options: AxiomIngestOptions) {
        self.options = options
    }

    /// Decodes the readable bytes of `body`.
    public func decode(_ body: ByteBuffer, format: AxiomIngestFormat) throws(WireError) -> AxiomIngestBatch {
        var outcome: Result<AxiomIngestBatch, WireError> = .success(AxiomIngestBatch())
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) {
                outcome = .success(try decode(raw, format: format))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Decodes `body` as `format`.
    ///
    /// A leading UTF-8 byte order mark (spreadsheet CSV exports) is skipped; it still counts in
    /// `processedBytes`.
    public func decode(_ body: UnsafeRawBufferPointer, format: AxiomIngestFormat) throws(WireError) -> AxiomIngestBatch {
        var state = try AxiomEventState(options: options)
        let hasBOM = body.count >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF
        let content = hasBOM ? UnsafeRawBufferPointer(rebasing: body[3...]) : body
        switch format {
        case .json, .ndjson:
            try decodeJSON(content, into: &state)
        case .csv:
            try decodeCSV(content, into: &state)
        }
        state.batch.processedBytes = body.count + (options.eventLabels?.utf8.count ?? 0)
        return state.batch
    }

    // MARK: JSON

    func decodeJSON(_ body: UnsafeRawBufferPointer, into state: inout AxiomEventState) throws(WireError) {
        var first = 0
        while first < body.count, Self.isJSONSpace(body[first]) { first += 1 }
        if first == body.count { return }
        if body[first] == UInt8(ascii: "[") {
            try decodeArray(body, into: &state)
        } else {
            try decodeStream(body, into: &state)
        }
    }

    static func isJSONSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    /// `[{…}, {…}]`: any syntax error fails the request.
    func decodeArray(_ body: UnsafeRawBufferPointer, into state: inout AxiomEventState) throws(WireError) {
        var scanner = JSONScanner(bytes: body, maxDepth: options.limits.maxScanDepth, allowsNonFiniteLiterals: true)
        try scanner.readArrayStart()
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            try state.countEvent()
            do throws(WireError) {
                try state.readEvent(&scanner)
            } catch {
                throw error.withContext("event \(index)")
            }
            index += 1
        }
        try scanner.readEnd()
    }

    /// JSON values separated by whitespace (NDJSON, or one pretty-printed object): a value
    /// that is not valid JSON fails as one event, and reading resumes on the next line.
    func decodeStream(_ body: UnsafeRawBufferPointer, into state: inout AxiomEventState) throws(WireError) {
        var offset = 0
        var lineCounter = LineCounter()
        while offset < body.count {
            let slice = UnsafeRawBufferPointer(rebasing: body[offset...])
            var scanner = JSONScanner(bytes: slice, maxDepth: options.limits.maxScanDepth, allowsNonFiniteLiterals: true)
            var resumeAt: Int?
            while scanner.peekToken() != .end {
                let valueStart = scanner.position
                try state.countEvent()
                do throws(WireError) {
                    try state.readEvent(&scanner)
                } catch {
                    let start = offset + valueStart
                    let line = lineCounter.line(at: start, in: body)
                    state.fail(error: "invalid JSON on line \(line): \(Self.message(error, base: offset))", timeNanos: nil)
                    var next = start
                    while next < body.count, body[next] != 0x0A { next += 1 }
                    resumeAt = next + 1
                    break
                }
            }
            guard let resumeAt else { return }
            offset = resumeAt
        }
    }

    /// The error's message with its byte offset made absolute (the scanner saw a slice from `base`).
    static func message(_ error: WireError, base: Int) -> String {
        guard let relative = error.offset else { return error.message }
        let suffix = " at byte \(relative)"
        guard error.message.hasSuffix(suffix) else { return error.message }
        return String(error.message.dropLast(suffix.count)) + " at byte \(base + relative)"
    }

    /// Counts lines forward through the body, so each failure costs only the bytes since the last.
    struct LineCounter {
        var offset = 0
        var line = 1

        mutating func line(at target: Int, in body: UnsafeRawBufferPointer) -> Int {
            while offset < target, offset < body.count {
                if body[offset] == 0x0A { line += 1 }
                offset += 1
            }
            return line
        }
    }
}
