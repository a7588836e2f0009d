import DialectPrometheus
import Testing

@Suite("Prometheus API parameters")
struct PrometheusParametersTests {
    @Test("Form bodies and query strings merge, body first, with URL unescaping")
    func formParsing() throws {
        let body = Array("query=sum%28rate%28a%5B5m%5D%29%29&match%5B%5D=up&match[]=%7Bjob%3D%22x%22%7D".utf8)
        let p = try PrometheusParameters(queryString: "time=1700000000.5&match[]=b+c", formBody: body)
        #expect(p.first("query") == "sum(rate(a[5m]))")
        #expect(p.all("match[]") == ["up", "{job=\"x\"}", "b c"])
        #expect(try p.time("time", default: 0) == 1_700_000_000_500)
        #expect(p.first("missing") == nil)
    }

    static let badEscapes = ["a=%", "a=%4", "a=%zz", "%g1=1"]

    @Test("Malformed percent escapes are bad_data", arguments: badEscapes)
    func badEscape(query: String) {
        #expect(throws: PrometheusAPIError.self) { _ = try PrometheusParameters(queryString: query) }
    }

    static let times: [(String, Int64)] = [
        ("1700000000", 1_700_000_000_000), ("1700000000.123", 1_700_000_000_123), ("0", 0), ("-1.5", -1500),
        ("2023-11-14T22:13:20Z", 1_700_000_000_000), ("2023-11-14T22:13:20.250Z", 1_700_000_000_250),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000_000),
    ]

    @Test("Times are float seconds or RFC 3339", arguments: times)
    func parseTime(text: String, millis: Int64) {
        #expect(PrometheusParameters.parseTime(text) == millis)
    }

    static let badTimes = ["abc", "", "2023-13-45", "1e400", "NaN"]

    @Test("Unparseable times are rejected", arguments: badTimes)
    func rejectTime(text: String) {
        #expect(PrometheusParameters.parseTime(text) == nil)
    }

    static let durations: [(String, Int64)] = [("15", 15_000), ("0.5", 500), ("15s", 15_000), ("1h30m", 5_400_000), ("100ms", 100)]

    @Test("Durations are float seconds or Prometheus durations", arguments: durations)
    func parseDuration(text: String, millis: Int64) {
        #expect(PrometheusParameters.parseDuration(text) == millis)
    }

    static let badDurations = ["abc", "5x", "1h30", "15s extra", "Inf"]

    @Test("Unparseable durations are rejected", arguments: badDurations)
    func rejectDuration(text: String) {
        #expect(PrometheusParameters.parseDuration(text) == nil)
    }
}
