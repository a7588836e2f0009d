import BasinModel
import BasinTestKit
@testable import DialectDynatrace
import Foundation
import Testing

/// Seeded comparison of the parser with ``ReferenceDynatraceLineParser`` (the parser before its
/// word-at-a-time fast paths for dimensions, gauge values and timestamps): on generated lines,
/// mostly well-formed and built around the edges of the fast paths, both must give the same
/// result (counts, messages, warnings, metadata), the same error, and the same samples in the
/// same order.
@Suite("Dynatrace line parser against the reference parser")
struct DynatraceReferenceComparisonTests {
    /// Every sample in batch order: labels, kind, timestamp and the value's bits.
    static func samples(_ batch: MetricBatch) -> [String] {
        (0..<batch.sampleCount).map { i in
            let slot = Int(batch.seriesSlots[i])
            return "\(batch.labels(at: slot)) \(batch.kinds[slot]) \(batch.timestampsMillis[i]) \(batch.values[i].bitPattern)"
        }
    }

    static func compare(_ body: [UInt8], options: DynatraceIngestOptions, seed: UInt64) {
        var batch = MetricBatch()
        var expectedBatch = MetricBatch()
        let outcome: Result<DynatraceIngestResult, DynatraceLineError>
        let expected: Result<DynatraceIngestResult, DynatraceLineError>
        do throws(DynatraceLineError) {
            outcome = .success(try DynatraceLineParser(options: options).parse(body, into: &batch))
        } catch {
            outcome = .failure(error)
        }
        do throws(DynatraceLineError) {
            expected = .success(try ReferenceDynatraceLineParser(options: options).parse(body, into: &expectedBatch))
        } catch {
            expected = .failure(error)
        }
        let text = String(decoding: body, as: UTF8.self)
        #expect(outcome == expected, "seed \(seed): \(text)")
        #expect(samples(batch) == samples(expectedBatch), "seed \(seed): \(text)")
    }

    /// Picks one of the weighted choices.
    static func pick<T>(_ choices: [(Int, T)], _ random: inout SeededGenerator) -> T {
        var roll = Int.random(in: 0..<choices.reduce(0) { $0 + $1.0 }, using: &random)
        for (weight, choice) in choices {
            if roll < weight { return choice }
            roll -= weight
        }
        return choices[choices.count - 1].1
    }

    static func string(_ alphabet: [String], _ length: ClosedRange<Int>, _ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: length, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    static let lower = "abcdefghijklmnopqrstuvwxyz".map(String.init)
    static let digits = "0123456789".map(String.init)

    static func metricKey(_ random: inout SeededGenerator) -> String {
        pick([
            (6, { (r: inout SeededGenerator) in "system.cpu.user" }),
            (6, { (r: inout SeededGenerator) in string(lower + ["."], 1...30, &r) }),
            (3, { (r: inout SeededGenerator) in string(lower + digits + ["_", "-", ".", "A", "Z"], 1...20, &r) }),
            (2, { (r: inout SeededGenerator) in "requests" + pick([(1, ".count"), (1, ".gauge"), (1, ""), (1, "count")], &r) }),
            (1, { (r: inout SeededGenerator) in pick([(1, "dt.x"), (1, ".a"), (1, "a..b"), (1, "a."), (1, "0a"), (1, "a.0b"), (1, ""), (1, "é"), (1, String(repeating: "k", count: 256))], &r) }),
        ], &random)(&random)
    }

    static func dimensionKey(_ random: inout SeededGenerator) -> String {
        pick([
            (8, { (r: inout SeededGenerator) in string(lower, 1...7, &r) }),
            (4, { (r: inout SeededGenerator) in string(lower + digits + ["_", ":", "-"], 1...16, &r) }),
            (3, { (r: inout SeededGenerator) in string(lower + [".", "_"], 0...12, &r) }),
            (2, { (r: inout SeededGenerator) in pick([(1, "az"), (1, "env"), (1, "host"), (1, "instance_type"), (1, "dt.entity.host"), (1, "__name__"), (1, "__name_"), (1, "__name__x")], &r) }),
            (1, { (r: inout SeededGenerator) in string(lower + ["A", "Z", "=", "\"", " ", "é", "\u{7F}", "`", "/", ";"], 0...10, &r) }),
            (1, { (r: inout SeededGenerator) in string(lower, 99...102, &r) }),
        ], &random)(&random)
    }

    static func dimensionValue(_ random: inout SeededGenerator) -> String {
        pick([
            (10, { (r: inout SeededGenerator) in string(lower + digits + ["-", ".", "/", "_"], 0...24, &r) }),
            (3, { (r: inout SeededGenerator) in string(lower + ["\\ ", "\\,", "\\=", "\\\\", "\\\"", "#", "!", "+", "'", "é", "日", "=", ":"], 0...12, &r) }),
            (2, { (r: inout SeededGenerator) in "\"" + string(lower + [" ", ",", "=", "\\\"", "\\\\", "é"], 0...12, &r) + pick([(5, "\""), (1, "")], &r) }),
            (1, { (r: inout SeededGenerator) in string(lower + ["\\", "\"", ",", " ", "\t", "\u{80}", "\u{FF}"], 0...6, &r) }),
            (1, { (r: inout SeededGenerator) in string(lower + ["é"], 250...260, &r) }),
        ], &random)(&random)
    }

    static func number(_ random: inout SeededGenerator) -> String {
        pick([
            (6, { (r: inout SeededGenerator) in pick([(4, ""), (1, "-"), (1, "+")], &r) + string(digits, 1...12, &r) + "." + string(digits, 1...12, &r) }),
            (4, { (r: inout SeededGenerator) in pick([(4, ""), (1, "-"), (1, "+")], &r) + string(digits, 1...21, &r) }),
            (2, { (r: inout SeededGenerator) in string(digits + [".", "-", "+", "e", "E"], 1...8, &r) }),
            (1, { (r: inout SeededGenerator) in pick([(1, "1e5"), (1, "1.5E-3"), (1, "0"), (1, "0.25"), (1, "00"), (1, "-0"), (1, "+-1"), (1, "1."), (1, ".5"), (1, "NaN"), (1, "1e400"), (1, "9007199254740993"), (1, "123456789012345678901")], &r) }),
        ], &random)(&random)
    }

    static func payload(_ random: inout SeededGenerator) -> String {
        pick([
            (10, { (r: inout SeededGenerator) in "gauge," + number(&r) }),
            (2, { (r: inout SeededGenerator) in number(&r) }),
            (2, { (r: inout SeededGenerator) in "count," + pick([(4, "delta="), (1, "")], &r) + number(&r) }),
            (1, { (r: inout SeededGenerator) in "gauge,min=1,max=9,sum=20,count=4" }),
            (1, { (r: inout SeededGenerator) in "gauge,min=" + number(&r) + ",max=" + number(&r) + ",sum=" + number(&r) + ",count=" + number(&r) }),
            (1, { (r: inout SeededGenerator) in pick([(1, "gauge"), (1, "gauge,"), (1, "gauge,1=2"), (1, "Gauge,1"), (1, "gauge,1,2")], &r) }),
        ], &random)(&random)
    }

    static func timestamp(_ random: inout SeededGenerator) -> String {
        let now = testNowMillis
        return pick([
            (4, { (r: inout SeededGenerator) in "" }),
            (6, { (r: inout SeededGenerator) in " \(now - Int64.random(in: 0...3_600_000, using: &r))" }),
            (2, { (r: inout SeededGenerator) in " \(now + Int64.random(in: -8_000_000...8_000_000, using: &r))" }),
            (2, { (r: inout SeededGenerator) in pick([(1, " "), (1, "\t"), (1, "  ")], &r) + string(digits + ["-", "x", " ", "."], 1...20, &r) }),
            (1, { (r: inout SeededGenerator) in " " + string(digits, 1...19, &r) }),
            // The window's edges (one hour back, ten minutes ahead).
            (2, { (r: inout SeededGenerator) in " \(pick([(1, now - 3_600_000), (1, now + 600_000)], &r) + Int64.random(in: -1...1, using: &r))" }),
        ], &random)(&random)
    }

    static func line(_ random: inout SeededGenerator) -> String {
        var dimensions: [String] = []
        for _ in 0..<pick([(1, 0), (3, Int.random(in: 1...9, using: &random)), (1, Int.random(in: 0...12, using: &random))], &random) {
            let key = dimensionKey(&random)
            let pair = pick([(20, key + "=" + dimensionValue(&random)), (1, key), (1, key + "==x")], &random)
            dimensions.append(pair)
            // A repeated key now and then.
            if Bool.random(using: &random), Int.random(in: 0..<6, using: &random) == 0 { dimensions.append(key + "=" + dimensionValue(&random)) }
        }
        if Bool.random(using: &random) { dimensions.sort() }
        var text = metricKey(&random)
        if !dimensions.isEmpty { text += "," + dimensions.joined(separator: ",") }
        text += pick([(8, " "), (1, "\t"), (1, "  ")], &random) + payload(&random) + timestamp(&random)
        return text + pick([(12, ""), (1, " "), (1, "\r"), (1, " x")], &random)
    }

    @Test("generated lines parse as the reference parser parses them")
    func generatedLines() {
        let seed = SeededGenerator.seed("dynatrace reference comparison")
        var random = SeededGenerator(seed: seed)
        for round in 0..<3000 {
            var options = DynatraceIngestOptions(nowMillis: testNowMillis)
            if round % 4 == 3 {
                // Tight limits move the fast paths' length decisions.
                options.limits.maxDimensions = Int.random(in: 0...8, using: &random)
                options.limits.maxDimensionKeyBytes = Int.random(in: 1...12, using: &random)
                options.limits.maxDimensionValueCharacters = Int.random(in: 1...20, using: &random)
                options.limits.maxDimensionValueBytes = Int.random(in: 1...24, using: &random)
                options.limits.maxMetricKeyBytes = Int.random(in: 1...30, using: &random)
            }
            let lines = (0..<Int.random(in: 1...12, using: &random)).map { _ in Self.line(&random) }
            var body = Array(lines.joined(separator: "\n").utf8)
            if round % 5 == 4, !body.isEmpty {
                // A few random byte edits.
                let interesting = Array(",= \"\\\t.-_:09azAZ+eE".utf8) + [0x80, 0xC3, 0xFF]
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    body[Int.random(in: 0..<body.count, using: &random)] = interesting.randomElement(using: &random)!
                }
            }
            Self.compare(body, options: options, seed: seed)
        }
    }

    @Test("the benchmark body shape parses as the reference parser parses it")
    func benchmarkShape() {
        let body = Array("""
        system.cpu.user,az=ap-southeast-1b,env=dev,host=host-00000,instance_type=r5.xlarge,os=ubuntu-20.04,region=ap-southeast-1 gauge,23.690862264287354 \(testNowMillis - 60_000)
        system.mem.used,az=ap-southeast-1b,cluster=k8s-ap-southeast-1-3,env=dev,host=host-00000,role=api gauge,2821664768 \(testNowMillis)
        system.load.1,az=ap-southeast-1b,env=dev,os=ubuntu-20.04 gauge,2.07
        http.requests,cluster=k8s-ap-southeast-1-3,env=dev,route=/a\\ b,q="x y" count,delta=5 \(testNowMillis)
        http.requests.count,host=h gauge,-1.5 \(testNowMillis)
        """.utf8)
        Self.compare(body, options: DynatraceIngestOptions(nowMillis: testNowMillis), seed: 0)
    }
}
