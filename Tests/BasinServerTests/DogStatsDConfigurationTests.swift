import BasinServer
import Foundation
import Testing

@Suite("DogStatsD configuration")
struct DogStatsDConfigurationTests {
    @Test("DogStatsD is off by default, for organisation default, flushing every 10 s")
    func defaults() throws {
        let configuration = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: [:])
        #expect(configuration.dogstatsdListenHost == nil)
        #expect(configuration.dogstatsdSocketPath == nil)
        #expect(configuration.dogstatsdOrg == "default")
        #expect(configuration.dogstatsdFlushIntervalMillis == 10_000)
    }

    @Test("The four keys are listed and read from flags, BASIN_* variables and the config file")
    func keysAndSources() throws {
        let keys = Set(ServerConfiguration.keys.map(\.key))
        for key in ["dogstatsd-listen", "dogstatsd-socket", "dogstatsd-org", "dogstatsd-flush-interval"] {
            #expect(keys.contains(key))
        }
        let file = NSTemporaryDirectory() + "basin-dsd-config-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data(#"{"dogstatsd-socket": "/tmp/dsd.sock", "dogstatsd-org": "fromfile"}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = try ServerConfiguration.resolve(
            configFile: file,
            environment: ["BASIN_DOGSTATSD_LISTEN": "0.0.0.0:8125", "BASIN_DOGSTATSD_FLUSH_INTERVAL": "1s"],
            flags: ["dogstatsd-org": "metrics"])
        #expect(configuration.dogstatsdListenHost == "0.0.0.0")
        #expect(configuration.dogstatsdListenPort == 8125)
        #expect(configuration.dogstatsdSocketPath == "/tmp/dsd.sock")
        #expect(configuration.dogstatsdOrg == "metrics")
        #expect(configuration.dogstatsdFlushIntervalMillis == 1_000)
    }

    @Test("An empty listen address or socket path turns the listener off; an empty host means 127.0.0.1")
    func emptyValues() throws {
        var configuration = ServerConfiguration()
        try configuration.set("dogstatsd-listen", to: ":8125", source: "test")
        #expect(configuration.dogstatsdListenHost == "127.0.0.1")
        try configuration.set("dogstatsd-listen", to: "", source: "test")
        #expect(configuration.dogstatsdListenHost == nil)
        try configuration.set("dogstatsd-socket", to: "", source: "test")
        #expect(configuration.dogstatsdSocketPath == nil)
    }

    @Test("Bad DogStatsD values are refused with the key's name", arguments: [
        ("dogstatsd-listen", "8125"), ("dogstatsd-listen", "host:99999"), ("dogstatsd-org", ""),
        ("dogstatsd-flush-interval", "500ms"), ("dogstatsd-flush-interval", "soon"),
    ])
    func badValues(_ key: String, _ value: String) {
        var configuration = ServerConfiguration()
        #expect(throws: ConfigurationError.self) { try configuration.set(key, to: value, source: "test") }
    }
}
