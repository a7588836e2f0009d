import BasinModel
import DialectPrometheus
import NIOCore
import Testing

@Suite("Prometheus API rendering")
struct PrometheusAPITests {
    static let values: [(Double, String)] = [
        (1, "1"), (1.5, "1.5"), (-2.25, "-2.25"), (0.00001, "0.00001"), (1e21, "1000000000000000000000"),
        (123456789.125, "123456789.125"), (0.1, "0.1"), (1.0 / 3, "0.3333333333333333"), (100, "100"),
        (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (0, "0"), (-0.0, "-0"), (5e-324, "0." + String(repeating: "0", count: 323) + "5"),
    ]

    @Test("Sample values render like Go's FormatFloat(v, 'f', -1, 64)", arguments: values)
    func valueText(value: Double, text: String) {
        #expect(PrometheusResponseWriter.valueText(value) == text)
    }

    static let timestamps: [(Int64, String)] = [
        (1_700_000_000_000, "1700000000"), (1_700_000_000_500, "1700000000.5"), (1_700_000_000_123, "1700000000.123"),
        (1_700_000_000_010, "1700000000.01"), (0, "0"), (-1500, "-1.5"),
    ]

    @Test("Timestamps render as seconds with at most three decimals", arguments: timestamps)
    func timestampText(millis: Int64, text: String) {
        #expect(PrometheusResponseWriter.timestampText(millis) == text)
    }

    @Test("A matrix renders in Prometheus' exact JSON shape")
    func matrixShape() {
        let series = PrometheusSeries(
            labels: Labels(metricName: "up", [("job", "a\"b")]), timestampsMillis: [1_700_000_000_000, 1_700_000_015_000],
            values: [1.5, .nan])
        let buffer = PrometheusResponseWriter.render(.matrix([series]))
        #expect(String(buffer: buffer) == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a\"b"},"values":[[1700000000,"1.5"],[1700000015,"NaN"]]}]}}"#)
    }

    @Test("Vector, scalar and error bodies render in Prometheus' shapes")
    func otherShapes() {
        let sample = PrometheusSample(labels: Labels([("a", "1")]), timestampMillis: 1000, value: 2)
        #expect(String(buffer: PrometheusResponseWriter.render(.vector([sample])))
            == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"2"]}]}}"#)
        #expect(String(buffer: PrometheusResponseWriter.render(.scalar(timestampMillis: 1500, value: .infinity)))
            == #"{"status":"success","data":{"resultType":"scalar","result":[1.5,"+Inf"]}}"#)
        #expect(String(buffer: PrometheusResponseWriter.render(.vector([])))
            == #"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
        #expect(String(buffer: PrometheusResponseWriter.renderError(type: "bad_data", message: "x"))
            == #"{"status":"error","errorType":"bad_data","error":"x"}"#)
        #expect(String(buffer: PrometheusResponseWriter.renderStrings(["a", "b.c"])) == #"{"status":"success","data":["a","b.c"]}"#)
    }

    static let kinds: [(MetricKind, String)] = [
        (.gauge, "gauge"), (.counter, "counter"), (.count, "unknown"), (.rate, "gauge"), (.summary, "unknown"),
        (.unspecified, "unknown"),
    ]

    @Test("Stored kinds map to Prometheus metadata types", arguments: kinds)
    func metadataType(kind: MetricKind, type: String) {
        #expect(PrometheusRoutes.prometheusType(kind) == type)
    }
}
