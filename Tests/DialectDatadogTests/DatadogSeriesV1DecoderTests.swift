import BasinTestKit
import BasinModel
import BasinWire
import DialectDatadog
import Testing

@Suite("Datadog v1 series decoder")
struct DatadogSeriesV1DecoderTests {
    // MARK: Success

    static let accepted: [(body: String, samples: [String])] = [
        (#"{"series":[{"metric":"m","points":[[1700000000,1.5]]}]}"#,
         [#"{__name__="m"} unknown 1700000000000 1.5"#]),
        (#"{"series":[{"metric":"m","points":[[1700000000.5,2]],"host":"h1","type":"gauge"}]}"#,
         [#"{__name__="m", host="h1"} gauge 1700000000500 2.0"#]),
        (#"{"series":[{"metric":"m","points":[[1700000000,3]],"host":null,"device":"/dev/sda","type":"rate","interval":10}]}"#,
         [#"{__name__="m", device="/dev/sda"} rate 1700000000000 3.0"#]),
        (#"{"series":[{"metric":"m","points":[[1700000000,1]],"tags":["url:http://x:1","solo","Env:PROD"],"type":"count"}]}"#,
         [#"{__name__="m", env="prod", solo="", url="http://x:1"} count 1700000000000 1.0"#]),
        (#"{"series":[{"metric":"m","points":[[1700000000,1]],"tags":["host:tag"],"host":"field"}]}"#,
         [#"{__name__="m", host="field"} unknown 1700000000000 1.0"#]),
        (#"{"series":[{"metric":"m","points":[[0,7]]}]}"#,
         [#"{__name__="m"} unknown 1800000000000 7.0"#]),
        (#"  {"series": null}  "#, []),
        ("{}", []),
        (#"{"series":[]}"#, []),
    ]

    @Test("decodes accepted bodies", arguments: accepted)
    func decodesAccepted(body: String, samples: [String]) throws {
        let (batch, _) = try decodeV1(body).get()
        let lines = BatchRendering.render(batch, DatadogIntakeResult()).split(separator: "\n").dropFirst().map(String.init)
        #expect(lines == samples)
    }

    @Test("drops null and non-finite values and counts them")
    func dropsPoints() throws {
        let body = #"{"series":[{"metric":"m","points":[[1,null],[2,NaN],[3,Infinity],[4,-Infinity],[5,1]]}]}"#
        let (batch, result) = try decodeV1(body).get()
        #expect(batch.sampleCount == 1)
        #expect(result.accepted == 1)
        #expect(result.dropped == 4)
    }

    @Test("drops points outside the configured window")
    func window() throws {
        let now: Int64 = 1_700_000_000_000
        let options = DatadogIntakeOptions(nowMillis: now, maxPastMillis: 3_600_000, maxFutureMillis: 600_000)
        let body = #"{"series":[{"metric":"m","points":[[1699996399,1],[1699996400,2],[1700000600,3],[1700000601,4]]}]}"#
        let (batch, result) = try decodeV1(body, options: options).get()
        #expect(batch.values == [2, 3])
        #expect(result.dropped == 2)
    }

    @Test("keeps the batch unchanged when the request fails")
    func batchUntouchedOnError() {
        let decoder = DatadogSeriesV1Decoder(options: DatadogIntakeOptions(nowMillis: 0))
        var batch = MetricBatch()
        batch.append(Labels(metricName: "before"), kind: .gauge, timestampMillis: 1, value: 1)
        let body = Array(#"{"series":[{"metric":"ok","points":[[1,1]]},{"metric":"bad","points":[[1,"x"]]}]}"#.utf8)
        let failed = body.withUnsafeBytes { raw -> Bool in
            do throws(WireError) {
                _ = try decoder.decode(raw, into: &batch)
                return false
            } catch {
                return true
            }
        }
        #expect(failed)
        #expect(batch.seriesCount == 1)
        #expect(batch.sampleCount == 1)
    }

    // MARK: Limits

    @Test("rejects a series over the label limit and keeps the others")
    func labelLimit() throws {
        var limits = DatadogIntakeLimits()
        limits.maxLabelsPerSeries = 3
        let options = DatadogIntakeOptions(limits: limits, nowMillis: 0)
        let body = #"{"series":[{"metric":"ok","points":[[1,1]],"tags":["a:1","b:2"]},{"metric":"big","points":[[1,1],[2,2]],"tags":["a:1","b:2","c:3"]}]}"#
        let (batch, result) = try decodeV1(body, options: options).get()
        #expect(batch.seriesCount == 1)
        #expect(result.accepted == 1)
        #expect(result.rejected == 2)
        #expect(result.rejectedSeries == 1)
        #expect(result.errors == [
            #"series[1] (metric "big"): more than 3 labels (metric name, host and device included) exceeds the limit of 3 labels per series (maxLabelsPerSeries)"#,
        ])
        #expect(!result.isTotalRejection)
    }

    @Test("names the limit for long names and values", arguments: [
        (#"{"series":[{"metric":"mmmmmmmmmmm","points":[[1,1]]}]}"#, "metric name of 11 bytes exceeds the limit of 10 bytes (maxMetricNameBytes)"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"tags":["kkkkkkkkkkk:v"]}]}"#, "tag key of 11 bytes exceeds the limit of 10 bytes per label name (maxLabelNameBytes)"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"tags":["k:vvvvvvvvvvv"]}]}"#, "tag value of 11 bytes exceeds the limit of 10 bytes per label value (maxLabelValueBytes)"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"host":"hhhhhhhhhhh"}]}"#, "host of 11 bytes exceeds the limit of 10 bytes per label value (maxLabelValueBytes)"),
    ])
    func lengthLimits(body: String, message: String) throws {
        var limits = DatadogIntakeLimits()
        limits.maxMetricNameBytes = 10
        limits.maxLabelNameBytes = 10
        limits.maxLabelValueBytes = 10
        let (batch, result) = try decodeV1(body, options: DatadogIntakeOptions(limits: limits, nowMillis: 0)).get()
        #expect(batch.isEmpty)
        #expect(result.isTotalRejection)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.hasSuffix(message) == true, "\(result.errors)")
    }

    @Test("bounds the number of kept error messages")
    func boundedErrors() throws {
        var limits = DatadogIntakeLimits()
        limits.maxMetricNameBytes = 1
        limits.maxErrorMessages = 2
        let one = #"{"metric":"mm","points":[[1,1]]}"#
        let body = #"{"series":["# + Array(repeating: one, count: 5).joined(separator: ",") + "]}"
        let (_, result) = try decodeV1(body, options: DatadogIntakeOptions(limits: limits, nowMillis: 0)).get()
        #expect(result.rejectedSeries == 5)
        #expect(result.errors.count == 2)
    }

    // MARK: Failure

    static let rejected: [(body: String, code: WireError.Code, message: String)] = [
        ("", .unexpectedEnd, "empty request body, expected a JSON object with \"series\" at byte 0"),
        ("foobar", .unexpectedByte, "payload: expected an object, found 'f' at byte 0"),
        (#"{"series":123"#, .typeMismatch, "series: expected an array, found a number at byte 10"),
        ("1234", .typeMismatch, "payload: expected an object, found a number at byte 0"),
        ("[]", .typeMismatch, "payload: expected an object, found an array at byte 0"),
        (#""invalid""#, .typeMismatch, "payload: expected an object, found a string at byte 0"),
        (#"{"series":[{"points":[[1,1]]}]}"#, .missingField, #"series[0]: missing required field "metric" in the series starting at byte 11"#),
        (#"{"series":[{"metric":"m"}]}"#, .missingField, #"series[0]: missing required field "points" in the series starting at byte 11"#),
        (#"{"series":[{"metric":"","points":[]}]}"#, .missingField, "series[0]: metric: the metric name is empty at byte 21"),
        (#"{"series":[{"metric":5,"points":[]}]}"#, .typeMismatch, "series[0]: metric: expected a string, found a number at byte 21"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"tags":"a:b"}]}"#, .typeMismatch, "series[0]: tags: expected an array, found a string at byte 49"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"tags":[1]}]}"#, .typeMismatch, "series[0]: tags[0]: expected a string, found a number at byte 50"),
        (#"{"series":[{"metric":"m","points":[[1,"x"]]}]}"#, .typeMismatch, "series[0]: points[0]: expected a number, found a string at byte 38"),
        (#"{"series":[{"metric":"m","points":[["1",1]]}]}"#, .typeMismatch, "series[0]: points[0]: expected a finite number, found a string at byte 36"),
        (#"{"series":[{"metric":"m","points":[[NaN,1]]}]}"#, .unexpectedByte, "series[0]: points[0]: expected a finite number, found 'N' at byte 36"),
        (#"{"series":[{"metric":"m","points":[[1]]}]}"#, .typeMismatch, "series[0]: points[0]: a point must be [timestamp, value], found one element at byte 35"),
        (#"{"series":[{"metric":"m","points":[[1,2,3]]}]}"#, .typeMismatch, "series[0]: points[0]: a point must be [timestamp, value], found more than two elements at byte 35"),
        (#"{"series":[{"metric":"m","points":[1]}]}"#, .typeMismatch, "series[0]: points[0]: expected an array, found a number at byte 35"),
        (#"{"series":[{"metric":"m","points":[[1e30,1]]}]}"#, .invalidNumber, "series[0]: points[0]: timestamp out of range at byte 35"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"host":7}]}"#, .typeMismatch, "series[0]: host: expected a string or null, found a number at byte 49"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"type":1}]}"#, .typeMismatch, "series[0]: type: expected a string or null, found a number at byte 49"),
        (#"{"series":[{"metric":"m","points":[[1,1]],"interval":"10"}]}"#, .typeMismatch, "series[0]: interval: expected a finite number, found a string at byte 53"),
        (#"{"series":[1]}"#, .typeMismatch, "series[0]: expected an object, found a number at byte 11"),
        (#"{"series":[{"metric":"m","points":[[1,1]]}]} x"#, .trailingData, "unexpected data after the JSON value at byte 45"),
        (#"{"series":[{"metric":"m\u00","points":[]}]}"#, .invalidString, "series[0]: invalid \\u escape at byte 23"),
    ]

    @Test("rejects malformed bodies with a field path and position", arguments: rejected)
    func rejectsMalformed(body: String, code: WireError.Code, message: String) {
        guard case .failure(let error) = decodeV1(body) else {
            Issue.record("accepted \(body)")
            return
        }
        #expect(error.code == code)
        #expect(error.message == message)
        #expect(error.kind == .badRequest)
    }

    @Test("never traps on mutated bodies")
    func mutatedBodies() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("Datadog v1 mutated bodies: seed \(seed)")
        var rng = SeededGenerator(seed: seed)
        let base = Array(#"{"series":[{"metric":"m.x","points":[[1700000000.5,1.25],[1,null]],"tags":["a:b","c"],"host":"h","type":"rate","interval":10}]}"#.utf8)
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(Array(#"[]{}",:\0"#.utf8).randomElement(using: &rng)!, at: i)
                }
                if bytes.isEmpty { break }
            }
            _ = decodeV1(bytes, options: DatadogIntakeOptions(nowMillis: 0))
            _ = decodeV2(bytes, options: DatadogIntakeOptions(nowMillis: 0))
        }
    }
}

@Suite("Datadog v2 JSON series decoder")
struct DatadogSeriesV2DecoderTests {
    static let rejected: [(body: String, message: String)] = [
        (#"{"series":[{"metric":"m","points":[[1,1]]}]}"#, "series[0]: points[0]: expected an object, found an array at byte 35"),
        (#"{"series":[{"metric":"m","points":[{"value":1}]}]}"#, #"series[0]: points[0]: missing required field "timestamp" in the point starting at byte 35"#),
        (#"{"series":[{"metric":"m","points":[],"type":"gauge"}]}"#, "series[0]: type: expected a finite number, found a string at byte 44"),
        (#"{"series":[{"metric":"m","points":[],"resources":{}}]}"#, "series[0]: resources: expected an array, found an object at byte 49"),
    ]

    @Test("rejects malformed v2 bodies with a field path and position", arguments: rejected)
    func rejectsMalformed(body: String, message: String) {
        guard case .failure(let error) = decodeV2(body) else {
            Issue.record("accepted \(body)")
            return
        }
        #expect(error.message == message)
    }
}
