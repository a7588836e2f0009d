import BasinWire

/// Reads one span object from a ``JSONScanner`` into a ``ZipkinRawSpan``, checking the per-span
/// limits as it goes (a span over one is read to its end and marked, not refused whole).
struct ZipkinSpanReader {
    let limits: SignalFxTraceLimits
    var tooLarge: String?

    init(limits: SignalFxTraceLimits) {
        self.limits = limits
    }

    mutating func readSpan(_ scanner: inout JSONScanner) throws(WireError) -> ZipkinRawSpan {
        var span = ZipkinRawSpan()
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = Self.text(try scanner.readKey())
            if try scanner.readNull() { continue }
            switch key {
            case "traceId": span.traceId = try readText(&scanner, max: 64, what: "traceId")
            case "id": span.id = try readText(&scanner, max: 64, what: "id")
            case "parentId": span.parentId = try readText(&scanner, max: 64, what: "parentId")
            case "name": span.name = try readText(&scanner, max: limits.maxNameBytes, what: "span name", limit: "maxNameBytes")
            case "kind":
                span.hasV2Fields = true
                span.kind = try readText(&scanner, max: 64, what: "kind")
            case "timestamp": span.timestampMicros = try Self.readMicros(&scanner)
            case "duration": span.durationMicros = try Self.readMicros(&scanner)
            case "debug": span.debug = try scanner.readBool()
            case "shared": span.shared = try scanner.readBool()
            case "localEndpoint":
                span.hasV2Fields = true
                span.localEndpoint = try readEndpoint(&scanner)
            case "remoteEndpoint":
                span.hasV2Fields = true
                span.remoteEndpoint = try readEndpoint(&scanner)
            case "tags":
                span.hasV2Fields = true
                try readTags(&scanner, into: &span)
            case "annotations": try readAnnotations(&scanner, into: &span)
            case "binaryAnnotations":
                span.hasBinaryAnnotations = true
                try readBinaryAnnotations(&scanner, into: &span)
            default: try scanner.skipValue()
            }
        }
        span.tooLarge = tooLarge
        return span
    }

    // MARK: Members

    mutating func readEndpoint(_ scanner: inout JSONScanner) throws(WireError) -> ZipkinEndpoint? {
        var endpoint = ZipkinEndpoint()
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = Self.text(try scanner.readKey())
            if try scanner.readNull() { continue }
            switch key {
            case "serviceName":
                let name = try readText(&scanner, max: limits.maxNameBytes, what: "service name", limit: "maxNameBytes")
                endpoint.serviceName = name?.isEmpty == true ? nil : name
            case "ipv4": endpoint.ipv4 = try readText(&scanner, max: 64, what: "ipv4").flatMap { $0.isEmpty ? nil : $0 }
            case "ipv6": endpoint.ipv6 = try readText(&scanner, max: 64, what: "ipv6").flatMap { $0.isEmpty ? nil : $0 }
            case "port":
                let port = try scanner.readDouble()
                // Zipkin reads port 0 as absent; v1 thrift-converted senders may send a negative
                // short for ports above 32767.
                if port >= 1, port <= 65_535 { endpoint.port = Int(port) } else if port < 0, port >= -32_768 { endpoint.port = Int(port) + 65_536 }
            default: try scanner.skipValue()
            }
        }
        return endpoint.isEmpty ? nil : endpoint
    }

    mutating func readTags(_ scanner: inout JSONScanner, into span: inout ZipkinRawSpan) throws(WireError) {
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let keyBytes = try scanner.readKey()
            let key = Self.text(keyBytes)
            if keyBytes.count > limits.maxTagKeyBytes { mark("tag key longer than \(limits.maxTagKeyBytes) bytes (maxTagKeyBytes)") }
            guard let value = try readScalarText(&scanner) else { continue }
            span.tags[key] = value
            if span.tags.count > limits.maxTagsPerSpan { mark("more than \(limits.maxTagsPerSpan) tags in a span (maxTagsPerSpan)") }
        }
    }

    mutating func readAnnotations(_ scanner: inout JSONScanner, into span: inout ZipkinRawSpan) throws(WireError) {
        try scanner.readArrayStart()
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            if try scanner.readNull() { continue }
            var annotation = ZipkinRawSpan.Annotation()
            try scanner.readObjectStart()
            var member = true
            while try scanner.readNextObjectMember(isFirst: &member) {
                let key = Self.text(try scanner.readKey())
                if try scanner.readNull() { continue }
                switch key {
                case "timestamp": annotation.timestampMicros = try Self.readMicros(&scanner)
                case "value": annotation.value = try readText(&scanner, max: limits.maxTagValueBytes, what: "annotation value", limit: "maxTagValueBytes")
                case "endpoint": annotation.endpoint = try readEndpoint(&scanner)
                default: try scanner.skipValue()
                }
            }
            span.annotations.append(annotation)
            if span.annotations.count > limits.maxAnnotationsPerSpan {
                mark("more than \(limits.maxAnnotationsPerSpan) annotations in a span (maxAnnotationsPerSpan)")
            }
        }
    }

    mutating func readBinaryAnnotations(_ scanner: inout JSONScanner, into span: inout ZipkinRawSpan) throws(WireError) {
        try scanner.readArrayStart()
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            if try scanner.readNull() { continue }
            var binary = ZipkinRawSpan.BinaryAnnotation()
            try scanner.readObjectStart()
            var member = true
            while try scanner.readNextObjectMember(isFirst: &member) {
                let key = Self.text(try scanner.readKey())
                if try scanner.readNull() { continue }
                switch key {
                case "key":
                    binary.key = try readText(&scanner, max: limits.maxTagKeyBytes, what: "tag key", limit: "maxTagKeyBytes")
                case "value":
                    if scanner.peekToken() == .bool {
                        binary.isTrue = try scanner.readBool()
                        binary.value = binary.isTrue ? "true" : "false"
                    } else {
                        binary.value = try readScalarText(&scanner)
                    }
                case "endpoint": binary.endpoint = try readEndpoint(&scanner)
                default: try scanner.skipValue()
                }
            }
            span.binaryAnnotations.append(binary)
            if span.binaryAnnotations.count > limits.maxTagsPerSpan { mark("more than \(limits.maxTagsPerSpan) tags in a span (maxTagsPerSpan)") }
        }
    }

    // MARK: Scalars

    /// A string; over `max` bytes the span is marked too large (the value is still returned).
    mutating func readText(_ scanner: inout JSONScanner, max: Int, what: String, limit: String? = nil) throws(WireError) -> String? {
        let bytes = try scanner.readString()
        if bytes.count > max {
            mark("\(what) longer than \(max) bytes" + (limit.map { " (\($0))" } ?? ""))
        }
        return Self.text(bytes)
    }

    /// A tag value: a string as is, a number or boolean as its JSON text (senders that emit
    /// typed tags), nil (value skipped) for an object or an array.
    mutating func readScalarText(_ scanner: inout JSONScanner) throws(WireError) -> String? {
        switch scanner.peekToken() {
        case .string:
            return try readText(&scanner, max: limits.maxTagValueBytes, what: "tag value", limit: "maxTagValueBytes")
        case .bool:
            return try scanner.readBool() ? "true" : "false"
        case .number:
            let start = scanner.position
            _ = try scanner.readDouble()
            return Self.text(UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position]))
        default:
            try scanner.skipValue()
            return nil
        }
    }

    /// Microseconds: an integer, or a float truncated toward zero as the gateway does (read as
    /// an exact decimal, so 16-digit timestamps keep every digit); nil when it does not fit.
    static func readMicros(_ scanner: inout JSONScanner) throws(WireError) -> Int64? {
        let decimal = try scanner.readDecimal()
        var magnitude = decimal.mantissa
        if decimal.exponent < 0 {
            let shift = -decimal.exponent
            guard shift <= 19 else { return 0 }
            var divisor: UInt64 = 1
            for _ in 0..<shift { divisor &*= 10 }
            magnitude /= divisor
        } else {
            for _ in 0..<decimal.exponent {
                let (next, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                magnitude = next
            }
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return decimal.isNegative ? -Int64(magnitude) : Int64(magnitude)
    }

    mutating func mark(_ problem: String) {
        if tooLarge == nil { tooLarge = problem }
    }

    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
