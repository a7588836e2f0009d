// The parser as it was before the word-at-a-time fast paths, kept as the reference that
// DynatraceReferenceComparisonTests compares the parser with. Types are renamed with a Reference prefix.
@testable import DialectDynatrace
import BasinModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a Dynatrace metric ingest body (the "MINT" line protocol of
/// `POST /api/v2/metrics/ingest`) into a ``BasinModel/MetricBatch``.
///
/// One line is one data point or one metadata line:
///
/// ```
/// cpu.temperature,dt.entity.host=HOST-1,cpu=1 gauge,45 1700000000000
/// requests,region=EAST count,delta=50
/// latency,route=/a\ b gauge,min=1,max=9,sum=20,count=4
/// #cpu.temperature gauge dt.meta.unit=Cel,dt.meta.displayName="CPU temperature"
/// ```
///
/// Lines are separated by `\n` (a trailing `\r` is dropped); blank lines are skipped but keep
/// their number, so reported line numbers match the body. Every other line is either OK or
/// invalid; an invalid line is reported with its 1-based number and the rest are still stored,
/// as Dynatrace does (see ``DynatraceIngestResult``). Names follow ``DynatraceSeriesNaming``.
///
/// Key rules (spec §3.3, §3.4, with the dynatrace-metric-utils clients as the arbiter):
/// - metric key: sections of `[A-Za-z0-9_-]` separated by `.`; the first section starts with a
///   letter or `_`, later ones with a letter, digit or `_` (the clients send `a.0b.c`, which the
///   SaaS server refuses); no empty section; at most 255 bytes; `dt.` keys are reserved.
/// - dimension key: `[a-z0-9_:.-]`, no empty section, at most 100 bytes; `dt.*` keys are fine;
///   an upper-case letter makes the line invalid. A repeated key keeps its first value; an empty
///   value (`k=` or `k=""`) drops the dimension.
/// - dimension value: quoted (`k="a b"`, only `\"` and `\\` escaped) or unquoted with backslash
///   escapes (`k=a\ b\,c`); an unescaped space ends the dimension list.
/// - numbers: optional sign, decimal or exponent form with either case of `e`; NaN and infinities
///   are invalid.
/// - timestamp: optional integer milliseconds inside `[now - maxPastMillis, now + maxFutureMillis]`;
///   absent means ``DynatraceIngestOptions/nowMillis``.
///
/// - Complexity: O(n) in the body size. Scratch buffers are reused across lines; each data line
///   allocates its label set (five for a summary), nothing else on the success path.
public struct ReferenceDynatraceLineParser: Sendable {
    /// Settings applied to every line.
    public var options: DynatraceIngestOptions

    /// Creates a parser.
    public init(options: DynatraceIngestOptions) {
        self.options = options
    }

    /// Parses a whole body.
    ///
    /// - Parameters:
    ///   - body: the decompressed request body; only read during the call.
    ///   - batch: samples of valid data lines are appended here.
    /// - Returns: the per-line outcome, metadata lines included.
    /// - Throws: ``DynatraceLineError/emptyRequest`` when the body holds no non-blank line.
    public func parse(_ body: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(DynatraceLineError) -> DynatraceIngestResult {
        var state = ReferenceDynatraceLineState(options: options)
        var result = DynatraceIngestResult()
        var lineNumber = 0
        var start = 0
        let end = body.count
        while start < end {
            var stop = end
            if let base = body.baseAddress, let found = memchr(base + start, 0x0A, end - start) {
                stop = base.distance(to: UnsafeRawPointer(found))
            }
            lineNumber += 1
            state.handle(UnsafeRawBufferPointer(rebasing: body[start..<stop]), number: lineNumber, into: &batch, result: &result)
            start = stop + 1
        }
        if result.linesOk == 0, result.linesInvalid == 0 { throw .emptyRequest }
        return result
    }

    /// Parses a body given as bytes (tests and non-hot paths).
    public func parse(_ body: [UInt8], into batch: inout MetricBatch) throws(DynatraceLineError) -> DynatraceIngestResult {
        let outcome = body.withUnsafeBytes { raw -> Result<DynatraceIngestResult, DynatraceLineError> in
            do throws(DynatraceLineError) {
                return .success(try parse(raw, into: &batch))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
