/// Turns a ``ZipkinRawSpan`` into valid ``ZipkinSpan``s or a rejection with the backend's reason.
enum ZipkinSpanValidator {
    /// Classifies, converts and validates one raw span, appending to `result`.
    static func finish(_ raw: ZipkinRawSpan, into result: inout ZipkinDecodeResult) {
        let reportedId = raw.id ?? ""
        if let problem = raw.tooLarge {
            if result.limitProblem == nil { result.limitProblem = problem }
            result.rejections.append((.spanTooLargeDropped, reportedId))
            return
        }
        if raw.hasV2Fields, raw.hasBinaryAnnotations {
            // Gateway: "span cannot have binaryAnnotations with Zipkin V2 fields" (vector 37).
            result.rejections.append((.zipkinV2BinaryAnnotations, reportedId))
            return
        }
        guard let ids = identifiers(raw) else {
            result.rejections.append((rejection(raw), reportedId))
            return
        }
        let converted = raw.hasV2Fields ? [v2Span(raw)] : ZipkinV1Converter.convert(raw)
        for span in converted {
            guard let timestamp = span.timestampMicros, timestamp > 0 else {
                result.rejections.append((.zeroStartTime, reportedId))
                continue
            }
            var out = ZipkinSpan(
                traceId: ids.traceId, originalTraceId: ids.originalTraceId, id: ids.id, parentId: ids.parentId,
                timestampMicros: timestamp)
            span.fill(&out)
            result.spans.append(out)
        }
    }

    /// The normalised ids, nil when one is invalid.
    static func identifiers(_ raw: ZipkinRawSpan) -> (traceId: String, originalTraceId: String?, id: String, parentId: String?)? {
        guard let sentTrace = raw.traceId, let trace = lowerHex(sentTrace, maxDigits: 32), !isZero(trace) else { return nil }
        guard let sentId = raw.id, let id = lowerHex(sentId, maxDigits: 16) else { return nil }
        var parent: String?
        if let sentParent = raw.parentId, !sentParent.isEmpty {
            guard let hex = lowerHex(sentParent, maxDigits: 16) else { return nil }
            parent = isZero(hex) ? nil : leftPad(hex, to: 16)
        }
        let traceId = leftPad(trace, to: 32)
        return (traceId, sentTrace == traceId ? nil : sentTrace, leftPad(id, to: 16), parent)
    }

    /// Which id made ``identifiers(_:)`` fail.
    static func rejection(_ raw: ZipkinRawSpan) -> SignalFxSpanRejection {
        guard let sentTrace = raw.traceId, let trace = lowerHex(sentTrace, maxDigits: 32) else { return .invalidTraceID }
        if isZero(trace) { return .zeroTraceID }
        return .invalidSpanID
    }

    /// The text lower-cased when it is 1…`maxDigits` hex digits, else nil.
    static func lowerHex(_ text: String, maxDigits: Int) -> String? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxDigits else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        for b in utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): out.append(b)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): out.append(b + 0x20)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isZero(_ hex: String) -> Bool { hex.utf8.allSatisfy { $0 == UInt8(ascii: "0") } }

    static func leftPad(_ hex: String, to digits: Int) -> String {
        hex.utf8.count >= digits ? hex : String(repeating: "0", count: digits - hex.utf8.count) + hex
    }

    /// A v2 span's members (annotation endpoints are not part of v2 and are ignored).
    static func v2Span(_ raw: ZipkinRawSpan) -> ZipkinV1Converter.Draft {
        var draft = ZipkinV1Converter.Draft()
        draft.name = raw.name
        draft.kind = raw.kind.flatMap { ZipkinSpanKind(rawValue: $0.uppercased()) }
        draft.timestampMicros = raw.timestampMicros
        draft.durationMicros = raw.durationMicros.flatMap { $0 > 0 ? $0 : nil }
        draft.localEndpoint = raw.localEndpoint
        draft.remoteEndpoint = raw.remoteEndpoint
        draft.annotations = raw.annotations.compactMap { a in
            guard let t = a.timestampMicros, let v = a.value else { return nil }
            return ZipkinAnnotation(timestampMicros: t, value: v)
        }
        draft.tags = raw.tags
        draft.debug = raw.debug
        draft.shared = raw.shared
        return draft
    }
}
