import BasinModel
import BasinTestKit
import BasinWire
import Foundation
import Testing

@testable import DialectDatadog

/// Decodes a protobuf `MetricPayload` with a fresh batch.
func decodeProtobuf(_ bytes: [UInt8], options: DatadogIntakeOptions = DatadogIntakeOptions(nowMillis: 1_800_000_000_000)) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
    let decoder = DatadogSeriesV2Decoder(options: options)
    return bytes.withUnsafeBytes { raw in
        var batch = MetricBatch()
        do throws(WireError) {
            let result = try decoder.decodeProtobuf(raw, into: &batch)
            return .success((batch, result))
        } catch {
            return .failure(error)
        }
    }
}

/// The v2 JSON body carrying the same content as `series` (for equivalence checks).
func jsonV2(_ series: [TestMetricSeries]) -> String {
    func quote(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
    let items = series.map { s -> String in
        var members = ["\"metric\":\(quote(s.metric))"]
        members.append("\"points\":[" + s.points.map { "{\"timestamp\":\($0.timestamp),\"value\":\($0.value)}" }.joined(separator: ",") + "]")
        if let type = s.type { members.append("\"type\":\(type)") }
        if let interval = s.interval { members.append("\"interval\":\(interval)") }
        if !s.resources.isEmpty {
            members.append("\"resources\":[" + s.resources.map { "{\"type\":\(quote($0.type)),\"name\":\(quote($0.name))}" }.joined(separator: ",") + "]")
        }
        if !s.tags.isEmpty { members.append("\"tags\":[" + s.tags.map(quote).joined(separator: ",") + "]") }
        if let unit = s.unit { members.append("\"unit\":\(quote(unit))") }
        return "{" + members.joined(separator: ",") + "}"
    }
    return "{\"series\":[" + items.joined(separator: ",") + "]}"
}

@Suite("DatadogProtobuf decoder")
struct DatadogProtobufDecoderTests {
    static let now: Int64 = 1_800_000_000_000

    func decoded(_ series: [TestMetricSeries], shuffled: Bool = false, unknown: Bool = false) throws -> (MetricBatch, DatadogIntakeResult) {
        try decodeProtobuf(encodeMetricPayload(series, shuffled: shuffled, unknown: unknown)).get()
    }

    @Test("type 0-3 maps to unspecified/count/rate/gauge like v2 JSON", arguments: [
        (UInt64(0), MetricKind.unspecified), (1, .count), (2, .rate), (3, .gauge), (7, .unspecified),
    ])
    func types(_ type: UInt64, _ kind: MetricKind) throws {
        let (batch, result) = try decoded([TestMetricSeries(metric: "m.t", points: [(1_700_000_000, 1.5)], type: type)])
        #expect(result.accepted == 1)
        #expect(batch.kinds == [kind])
        #expect(batch.timestampsMillis == [1_700_000_000_000])
        #expect(batch.values == [1.5])
    }

    @Test("resources: the first host and device become labels and win over tags; others are ignored", arguments: [
        ([("host", "h1")], ["host": "h1"]),
        ([("host", "h1"), ("host", "h2")], ["host": "h1"]),
        ([("device", "sda"), ("host", "h1")], ["host": "h1", "device": "sda"]),
        ([("aws_account", "1"), ("host", "")], [:]),
    ] as [([(String, String)], [String: String])])
    func resources(_ resources: [(String, String)], _ expected: [String: String]) throws {
        let series = TestMetricSeries(
            metric: "m.r", points: [(1_700_000_000, 1)], resources: resources.map { (type: $0.0, name: $0.1) }, tags: ["host:tagged", "env:prod"])
        let (batch, _) = try decoded([series])
        let labels = try #require(batch.series.first)
        #expect(labels["host"] == (expected["host"] ?? "tagged"))
        #expect(labels["device"] == expected["device"])
        #expect(labels["env"] == "prod")
        #expect(labels["aws_account"] == nil)
    }

    @Test("unit and interval are reported per series", arguments: [
        (Optional("byte"), Optional(Int64(10)), "byte", Int64(10)),
        (nil, nil, "", 0),
        ("request", -5, "request", 0),
    ] as [(String?, Int64?, String, Int64)])
    func unitAndInterval(_ unit: String?, _ interval: Int64?, _ expectedUnit: String, _ expectedInterval: Int64) throws {
        let (_, result) = try decoded([TestMetricSeries(metric: "m.u", points: [(1_700_000_000, 1)], type: 2, interval: interval, unit: unit)])
        #expect(result.units == [expectedUnit])
        #expect(result.intervalsSeconds == [expectedInterval])
    }

    @Test("JSON v2 reports the unit the same way")
    func jsonUnit() throws {
        let (_, result) = try decodeV2(#"{"series":[{"metric":"m","points":[{"timestamp":1700000000,"value":1}],"unit":"byte"}]}"#).get()
        #expect(result.units == ["byte"])
    }

    @Test("limits reject the series only, like JSON", arguments: [
        ("name", "exceeds the limit of 512 bytes (maxMetricNameBytes)"),
        ("tagKey", "per label name (maxLabelNameBytes)"),
        ("tagValue", "per label value (maxLabelValueBytes)"),
        ("host", "per label value (maxLabelValueBytes)"),
        ("labels", "labels per series (maxLabelsPerSeries)"),
    ])
    func limits(_ which: String, _ message: String) throws {
        var bad = TestMetricSeries(metric: "m.bad", points: [(1_700_000_000, 1), (1_700_000_010, 2)])
        switch which {
        case "name": bad.metric = String(repeating: "m", count: 600)
        case "tagKey": bad.tags = [String(repeating: "k", count: 300) + ":v"]
        case "tagValue": bad.tags = ["k:" + String(repeating: "v", count: 5000)]
        case "host": bad.resources = [(type: "host", name: String(repeating: "h", count: 5000))]
        default: bad.tags = (0..<200).map { "k\($0):v" }
        }
        let good = TestMetricSeries(metric: "m.good", points: [(1_700_000_000, 3)])
        let (batch, result) = try decoded([bad, good])
        #expect(result.accepted == 1)
        #expect(result.rejected == 2)
        #expect(result.rejectedSeries == 1)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.contains(message) == true, "\(result.errors)")
        #expect(batch.series.map(\.metricName) == ["m.good"])

        let (_, only) = try decoded([bad])
        #expect(only.isTotalRejection)
    }

    @Test("fields in any order and unknown fields of every wire type decode the same")
    func orderAndUnknown() throws {
        let series = [TestMetricSeries(
            metric: "m.o", points: [(1_700_000_000, 1), (1_700_000_010, -2.5)], type: 3, interval: 10,
            resources: [(type: "host", name: "h")], tags: ["a:b", "c"], unit: "byte", sourceTypeName: "System")]
        let (plain, plainResult) = try decoded(series)
        let (odd, oddResult) = try decoded(series, shuffled: true, unknown: true)
        #expect(BatchRendering.render(plain, plainResult) == BatchRendering.render(odd, oddResult))
        #expect(plainResult.units == oddResult.units)
    }

    @Test("the same payload as JSON v2 gives the same batch and result")
    func jsonEquivalence() throws {
        let series = [
            TestMetricSeries(metric: "system.cpu.user", points: [(1_700_000_000, 12.5), (1_700_000_010, 0)], type: 3, interval: 0,
                             resources: [(type: "host", name: "web-1"), (type: "device", name: "sda")], tags: ["env:prod", "role:db"], unit: "percent"),
            TestMetricSeries(metric: "dd.Counter Name", points: [(1_700_000_000, 3)], type: 2, interval: 10, tags: ["Env:Prod!", "bare"]),
            TestMetricSeries(metric: "m.nonfinite", points: [(1_700_000_000, .nan), (0, 4)], type: 1),
        ]
        let (pb, pbResult) = try decoded(series)
        let (json, jsonResult) = try decodeV2(jsonV2(series).replacingOccurrences(of: "nan", with: "NaN")).get()
        #expect(BatchRendering.render(pb, pbResult) == BatchRendering.render(json, jsonResult))
        #expect(pbResult.units == jsonResult.units)
        #expect(pbResult.dropped == 1)
        #expect(pb.timestampsMillis.contains(Self.now))   // timestamp 0 = now
    }

    @Test("empty body and a payload without series are empty; a series without points adds nothing")
    func empties() throws {
        let (a, ra) = try decodeProtobuf([]).get()
        #expect(a.isEmpty && ra == DatadogIntakeResult())
        let (b, _) = try decoded([TestMetricSeries(metric: "m.empty")])
        #expect(b.isEmpty)
    }

    @Test("window: points outside it are dropped")
    func window() throws {
        let options = DatadogIntakeOptions(nowMillis: Self.now, maxPastMillis: 3_600_000, maxFutureMillis: 600_000)
        let body = encodeMetricPayload([TestMetricSeries(metric: "m.w", points: [(1_700_000_000, 1), (Self.now / 1000, 2), (Self.now / 1000 + 3600, 3)])])
        let (batch, result) = try decodeProtobuf(body, options: options).get()
        #expect(batch.values == [2])
        #expect(result.dropped == 2)
    }

    @Test("malformed payloads refuse the whole request with 400", arguments: [
        ("truncated length", [0x0A, 0x05, 0x12]),
        ("truncated varint", [0x0A, 0x02, 0x28, 0x80]),
        ("group", [0x0B]),
        ("field 0", [0x00, 0x01]),
        ("wire type 6", [0x0E]),
        ("zstd frame", [0x28, 0xB5, 0x2F, 0xFD, 0x00]),
        ("missing metric", [0x0A, 0x02, 0x1A, 0x00]),
        ("empty metric", [0x0A, 0x02, 0x12, 0x00]),
        ("invalid UTF-8 tag", [0x0A, 0x07, 0x12, 0x01, 0x6D, 0x1A, 0x02, 0xC3, 0x28]),
        ("timestamp overflow", [0x0A, 0x0F, 0x12, 0x01, 0x6D, 0x22, 0x0A, 0x10] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
    ] as [(String, [UInt8])])
    func malformed(_ name: String, _ bytes: [UInt8]) {
        guard case .failure(let error) = decodeProtobuf(bytes) else {
            Issue.record("\(name): accepted")
            return
        }
        #expect(error.kind == .badRequest, "\(name): \(error)")
    }

    @Test("a failed decode leaves the batch as it was")
    func restoresBatch() {
        var body = encodeMetricPayload([TestMetricSeries(metric: "m.ok", points: [(1_700_000_000, 1)])])
        body += [0x0A, 0x03, 0x1A, 0x00]   // second series: no metric
        var batch = MetricBatch()
        batch.append(Labels(metricName: "before"), kind: .gauge, timestampMillis: 1, value: 1)
        _ = body.withUnsafeBytes { raw in
            #expect(throws: WireError.self) { _ = try DatadogSeriesV2Decoder(options: DatadogIntakeOptions(nowMillis: Self.now)).decodeProtobuf(raw, into: &batch) }
        }
        #expect(batch.sampleCount == 1)
        #expect(batch.series.map(\.metricName) == ["before"])
    }

    // MARK: Property tests

    static func randomSeries(_ g: inout SeededGenerator) -> [TestMetricSeries] {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        func word(_ n: Int) -> String { String((0..<n).map { _ in letters.randomElement(using: &g)! }) }
        return (0..<Int.random(in: 0...6, using: &g)).map { i in
            var s = TestMetricSeries(metric: word(3) + "." + word(Int.random(in: 1...12, using: &g)) + "\(i)")
            s.points = (0..<Int.random(in: 1...8, using: &g)).map { j in
                let value: Double
                switch Int.random(in: 0..<4, using: &g) {
                case 0: value = Double(Int.random(in: -1000...1000, using: &g))
                case 1: value = Double.random(in: -1e12...1e12, using: &g)
                case 2: value = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g) & 0x7FEF_FFFF_FFFF_FFFF)
                default: value = Double.random(in: 0...1, using: &g)
                }
                return (Int64(1_600_000_000 + j * 10 + Int.random(in: 0...5, using: &g)), value)
            }
            s.type = Bool.random(using: &g) ? UInt64.random(in: 0...3, using: &g) : nil
            s.interval = Bool.random(using: &g) ? Int64.random(in: 0...3600, using: &g) : nil
            s.unit = Bool.random(using: &g) ? word(5) : nil
            if Bool.random(using: &g) { s.resources.append((type: "host", name: word(6))) }
            if Bool.random(using: &g) { s.resources.append((type: "device", name: word(4))) }
            let keys = Set((0..<Int.random(in: 0...5, using: &g)).map { _ in "t" + word(4) })
            s.tags = keys.sorted().map { $0 + ":" + word(Int.random(in: 1...8, using: &g)) }
            return s
        }
    }

    /// Reads the batch back as series (labels → fields) to compare with what was encoded.
    static func readBack(_ batch: MetricBatch, _ result: DatadogIntakeResult) -> [TestMetricSeries] {
        var out: [TestMetricSeries] = []
        for (slot, labels) in batch.series.enumerated() {
            var s = TestMetricSeries(metric: labels.metricName ?? "")
            if let host = labels["host"] { s.resources.append((type: "host", name: host)) }
            if let device = labels["device"] { s.resources.append((type: "device", name: device)) }
            s.tags = labels.pairs.filter { !["host", "device", Labels.metricNameKey].contains($0.name) }.map { "\($0.name):\($0.value)" }.sorted()
            for i in 0..<batch.sampleCount where Int(batch.seriesSlots[i]) == slot {
                s.points.append((batch.timestampsMillis[i] / 1000, batch.values[i]))
            }
            s.points.sort { $0.timestamp < $1.timestamp }   // shuffled payloads send them in reverse
            s.type = [MetricKind.unspecified: 0, .count: 1, .rate: 2, .gauge: 3][batch.kinds[slot]].map(UInt64.init)
            s.interval = result.intervalsSeconds[slot]
            s.unit = result.units[slot]
            out.append(s)
        }
        return out
    }

    @Test("random payloads: encode → decode gives back exactly what was sent", arguments: Array(UInt64(1)...40))
    func roundTrip(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let series = Self.randomSeries(&g)
        let (batch, result) = try decoded(series, shuffled: seed % 2 == 0, unknown: seed % 3 == 0)
        var expected = series
        for i in expected.indices {
            expected[i].type = expected[i].type ?? 0
            expected[i].interval = expected[i].interval ?? 0
            expected[i].unit = expected[i].unit ?? ""
            expected[i].resources.sort { $0.type > $1.type }   // host first, as read back
        }
        #expect(Self.readBack(batch, result) == expected)
        #expect(result.accepted == series.reduce(0) { $0 + $1.points.count })
        // and the same as the JSON form
        let (json, jsonResult) = try decodeV2(jsonV2(series)).get()
        #expect(BatchRendering.render(batch, result) == BatchRendering.render(json, jsonResult))
    }

    @Test("random and mutated bytes never crash", arguments: Array(UInt64(1)...8))
    func randomBytes(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let valid = encodeMetricPayload(Self.randomSeries(&g))
        for round in 0..<300 {
            var bytes: [UInt8]
            if round % 2 == 0 || valid.isEmpty {
                bytes = (0..<Int.random(in: 0...200, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &g) {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                }
                if Bool.random(using: &g) { bytes.removeLast(Int.random(in: 0...bytes.count, using: &g)) }
            }
            _ = decodeProtobuf(bytes)
            _ = bytes.withUnsafeBytes { raw in
                var batch = MetricBatch()
                return try? DatadogSketchDecoder(options: DatadogIntakeOptions(nowMillis: Self.now)).decode(raw, into: &batch)
            }
        }
    }
}
