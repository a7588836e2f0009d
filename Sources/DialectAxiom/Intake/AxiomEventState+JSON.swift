import BasinModel
import BasinWire

extension AxiomEventState {
    /// Reads one JSON value of the body as an event: an object becomes a record or a failure;
    /// any other well-formed value is a failure. Throws only for malformed JSON.
    mutating func readEvent(_ scanner: inout JSONScanner) throws(WireError) {
        let token = scanner.peekToken()
        guard token == .objectStart else {
            if token == .objectEnd || token == .arrayEnd || token == .invalid || token == .end {
                throw scanner.mismatch(expected: "an event object", found: token)
            }
            try scanner.skipValue()
            fail(error: "event must be a JSON object, found \(token.phrase)", timeNanos: nil)
            return
        }
        var event = Event()
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            let name = String(decoding: key, as: UTF8.self)
            let isObject = scanner.peekToken() == .objectStart
            check(pathBytes: key.count, name: name, counts: !isObject, in: &event)
            let value = try readValue(&scanner, level: 2, pathBytes: key.count, path: name, event: &event)
            add(name, value, to: &event)
        }
        finish(event)
    }

    /// Reads any JSON value as a field value.
    ///
    /// - Parameters:
    ///   - level: the nesting level a container here would have (the event object is 1);
    ///     past ``AxiomIngestLimits/maxNestingDepth`` the container is skipped and read as `null`.
    ///   - pathBytes: the byte length of the dotted path naming this value.
    mutating func readValue(
        _ scanner: inout JSONScanner, level: Int, pathBytes: Int, path: String, event: inout Event
    ) throws(WireError) -> FieldValue {
        switch scanner.peekToken() {
        case .objectStart:
            if level > options.limits.maxNestingDepth {
                try scanner.skipValue()
                return .null
            }
            try scanner.readObjectStart()
            var members: [RecordField] = []
            var first = true
            while try scanner.readNextObjectMember(isFirst: &first) {
                let key = try scanner.readKey()
                let name = String(decoding: key, as: UTF8.self)
                let memberPath = pathBytes + 1 + key.count
                let isObject = scanner.peekToken() == .objectStart
                if event.problem == nil, memberPath > options.limits.maxFieldNameBytes {
                    check(pathBytes: memberPath, name: path + "." + name, counts: !isObject, in: &event)
                } else {
                    check(pathBytes: memberPath, name: name, counts: !isObject, in: &event)
                }
                let value = try readValue(&scanner, level: level + 1, pathBytes: memberPath, path: path, event: &event)
                members.append(RecordField(name, value))
            }
            return .object(members)
        case .arrayStart:
            if level > options.limits.maxNestingDepth {
                try scanner.skipValue()
                return .null
            }
            try scanner.readArrayStart()
            var elements: [FieldValue] = []
            var first = true
            while try scanner.readNextArrayElement(isFirst: &first) {
                elements.append(try readElement(&scanner, level: level + 1))
            }
            return .array(elements)
        case .string:
            let raw = try scanner.readString()
            if raw.count > options.limits.maxStringBytes { return .string(AxiomIngestLimits.tooLongPlaceholder) }
            return .string(String(decoding: raw, as: UTF8.self))
        case .number:
            return try readNumber(&scanner)
        case .bool:
            return .bool(try scanner.readBool())
        case .null:
            _ = try scanner.readNull()
            return .null
        case .objectEnd, .arrayEnd, .invalid, .end:
            try scanner.skipValue()  // throws the right syntax error
            return .null
        }
    }

    /// Reads an array element: objects inside arrays are kept whole and not counted as fields.
    mutating func readElement(_ scanner: inout JSONScanner, level: Int) throws(WireError) -> FieldValue {
        var scratch = Event()
        return try readValue(&scanner, level: level, pathBytes: 0, path: "", event: &scratch)
    }

    /// A JSON number: an integer that fits `Int64` is `.int`, anything else `.float`;
    /// `NaN`, `Infinity` and values beyond the `Double` range are `null` (Axiom's rule).
    func readNumber(_ scanner: inout JSONScanner) throws(WireError) -> FieldValue {
        let start = scanner.position
        let bytes = scanner.bytes
        let first = bytes[start]
        if first == UInt8(ascii: "N") || first == UInt8(ascii: "I")
            || (first == UInt8(ascii: "-") && start + 1 < bytes.count && bytes[start + 1] == UInt8(ascii: "I")) {
            _ = try scanner.readDouble()
            return .null
        }
        let decimal = try scanner.readDecimal()
        if !decimal.hasFractionOrExponent, let integer = decimal.scaledInt64(byPowerOfTen: 0) {
            return .int(integer)
        }
        let value = DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: bytes[start..<scanner.position]))
        return value.isFinite ? .float(value) : .null
    }

    /// Parses the `X-Axiom-Event-Labels` header: a JSON object, read with the event rules.
    static func decodeLabels(_ text: String, options: AxiomIngestOptions) throws(WireError) -> [RecordField] {
        var bytes = Array(text.utf8)
        var outcome: Result<[RecordField], WireError> = .success([])
        bytes.withUnsafeMutableBytes { raw in
            do throws(WireError) {
                var scanner = JSONScanner(bytes: UnsafeRawBufferPointer(raw), maxDepth: options.limits.maxScanDepth, allowsNonFiniteLiterals: true)
                var state = AxiomEventState(options: options, labels: [])
                var event = Event()
                try scanner.readObjectStart()
                var first = true
                while try scanner.readNextObjectMember(isFirst: &first) {
                    let key = try scanner.readKey()
                    let name = String(decoding: key, as: UTF8.self)
                    let value = try state.readValue(&scanner, level: 2, pathBytes: key.count, path: name, event: &event)
                    event.fields.append(RecordField(storedName(name), value))
                }
                try scanner.readEnd()
                outcome = .success(event.fields)
            } catch {
                outcome = .failure(error)
            }
        }
        do {
            return try outcome.get()
        } catch {
            throw error.withContext("invalid X-Axiom-Event-Labels header (expected a JSON object)")
        }
    }
}
