import BasinWire
import NIOCore

/// Decodes a SignalFx / Zipkin trace body: a JSON array of Zipkin v2 spans, Zipkin v1 spans, or
/// both mixed (`../shared/specs/signalfx.md` §5.1).
///
/// Each element is classified the way signalfx/gateway's `trace_zipkin.go` does: a span with
/// `kind`, `tags`, `localEndpoint` or `remoteEndpoint` is v2 (and refused when it also carries
/// `binaryAnnotations`), anything else is v1 and converted by ``ZipkinV1Converter``.
///
/// A body that is not a JSON array of objects, or that passes ``SignalFxTraceLimits/maxSpansPerRequest``
/// or ``SignalFxTraceLimits/maxDepth``, fails whole. Per-span problems (bad ids, no start time,
/// a per-span limit) refuse only that span, reported in ``ZipkinDecodeResult/rejections``.
/// `null` members are read as absent. An empty body is an empty batch.
public struct ZipkinSpanDecoder: Sendable {
    public var limits: SignalFxTraceLimits

    public init(limits: SignalFxTraceLimits = SignalFxTraceLimits()) {
        self.limits = limits
    }

    /// Decodes the readable bytes of `body`.
    /// - Throws: ``WireError`` for a body that is refused whole.
    public func decode(_ body: ByteBuffer) throws(WireError) -> ZipkinDecodeResult {
        let result: Result<ZipkinDecodeResult, WireError> = body.withUnsafeReadableBytes { bytes in
            do throws(WireError) { return .success(try decode(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes raw bytes, only read during the call.
    /// - Throws: ``WireError`` for a body that is refused whole.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ZipkinDecodeResult {
        var result = ZipkinDecodeResult()
        var scanner = JSONScanner(bytes: bytes, maxDepth: limits.maxDepth)
        if scanner.peekToken() == .end { return result }
        try scanner.readArrayStart()
        var first = true
        var count = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            count += 1
            if count > limits.maxSpansPerRequest {
                throw WireError(.limitExceeded, "more than \(limits.maxSpansPerRequest) spans in one request (maxSpansPerRequest)", offset: scanner.position)
            }
            var reader = ZipkinSpanReader(limits: limits)
            let raw = try reader.readSpan(&scanner)
            ZipkinSpanValidator.finish(raw, into: &result)
        }
        try scanner.readEnd()
        return result
    }
}
