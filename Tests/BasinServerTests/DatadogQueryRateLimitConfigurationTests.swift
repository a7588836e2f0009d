import DialectDatadog
import Foundation
import Testing

@testable import BasinServer

@Suite("Datadog query rate-limit configuration")
struct DatadogQueryRateLimitConfigurationTests {
    @Test("defaults to Datadog's 1600 queries per hour")
    func defaults() throws {
        let configuration = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: [:])
        #expect(configuration.datadogQueryRateLimit == 1600)
        #expect(configuration.datadogQueryRatePeriodSeconds == 3600)
        #expect(ServerConfiguration.keys.contains { $0.key == "datadog-query-rate-limit" })
    }

    @Test("reads N or N/DURATION from the flag, BASIN_DATADOG_QUERY_RATE_LIMIT and the config file", arguments: [
        ("500", 500, 3600), ("100/1m", 100, 60), ("10/30s", 10, 30), ("20000/1d", 20000, 86400), (" 7 / 2h ", 7, 7200),
    ])
    func values(_ text: String, _ limit: Int, _ period: Int) throws {
        let fromFlag = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: ["datadog-query-rate-limit": text])
        let fromEnvironment = try ServerConfiguration.resolve(
            configFile: nil, environment: ["BASIN_DATADOG_QUERY_RATE_LIMIT": text], flags: [:])
        let file = NSTemporaryDirectory() + "basin-dd-rate-\(UInt32.random(in: 0...UInt32.max)).json"
        let json = try JSONSerialization.data(withJSONObject: ["datadog-query-rate-limit": text])
        try json.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try ServerConfiguration.resolve(configFile: file, environment: [:], flags: [:])
        for configuration in [fromFlag, fromEnvironment, fromFile] {
            #expect(configuration.datadogQueryRateLimit == limit)
            #expect(configuration.datadogQueryRatePeriodSeconds == period)
        }
    }

    @Test("a number in the config file is read as requests per hour")
    func numberInFile() throws {
        let file = NSTemporaryDirectory() + "basin-dd-rate-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data(#"{"datadog-query-rate-limit": 250}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = try ServerConfiguration.resolve(configFile: file, environment: [:], flags: [:])
        #expect(configuration.datadogQueryRateLimit == 250)
        #expect(configuration.datadogQueryRatePeriodSeconds == 3600)
    }

    @Test("refuses bad values naming the key", arguments: ["", "0", "-5", "many", "10/", "10/500ms", "10/soon", "1/2/3"])
    func badValues(_ text: String) {
        var configuration = ServerConfiguration()
        #expect(throws: ConfigurationError.self) { try configuration.set("datadog-query-rate-limit", to: text, source: "test") }
        do {
            try configuration.set("datadog-query-rate-limit", to: text, source: "test")
        } catch {
            #expect("\(error)".contains("datadog-query-rate-limit"))
        }
    }

    @Test("the server gives the value to the /api/v1/query limit and keeps the other limits")
    func wiring() throws {
        let configuration = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: ["datadog-query-rate-limit": "42/10m"])
        let limits = ServerApplication.datadogQueryRateLimits(configuration)
        #expect(limits.query.name == "query")
        #expect(limits.query.limit == 42)
        #expect(limits.query.periodSeconds == 600)
        #expect(limits.metricsList.limit == 100)
        #expect(limits.metricsMetadata.limit == 3000)
    }
}
