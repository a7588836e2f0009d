import BasinHTTP
import BasinServer
import Foundation
import Testing

@Suite("Server configuration")
struct ServerConfigurationTests {
    @Test("Defaults are 127.0.0.1:8080 and ./basin-data")
    func defaults() throws {
        let configuration = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./basin-data")
        #expect(configuration.limits.maxBodyBytes == 5 << 20)
    }

    @Test("A flag beats the environment, which beats the config file")
    func precedence() throws {
        let file = NSTemporaryDirectory() + "basin-config-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data(#"{"listen": "127.0.0.1:9000", "data": "/from/file", "max-body-bytes": 1000, "log-level": "debug"}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = try ServerConfiguration.resolve(
            configFile: file,
            environment: ["BASIN_LISTEN": "127.0.0.1:9001", "BASIN_MAX_BODY_BYTES": "2000", "UNRELATED": "x"],
            flags: ["listen": "127.0.0.1:9002"])
        #expect(configuration.port == 9002)
        #expect(configuration.limits.maxBodyBytes == 2000)
        #expect(configuration.dataDirectory == "/from/file")
        #expect(configuration.logLevel == "debug")
    }

    @Test("Environment names are BASIN_ and the upper-cased key")
    func environmentNames() {
        #expect(ServerConfiguration.environmentName(for: "max-body-bytes") == "BASIN_MAX_BODY_BYTES")
        #expect(ServerConfiguration.keys.count >= 10)
    }

    @Test(
        "Bad values name the key and where it came from",
        arguments: [
            ("listen", "nonsense", "listen must be HOST:PORT"),
            ("listen", "127.0.0.1:70000", "listen must be HOST:PORT"),
            ("max-body-bytes", "-1", "max-body-bytes must be a non-negative integer"),
            ("query-timeout-seconds", "0", "query-timeout-seconds must be a positive number"),
            ("no-such-key", "1", "unknown key \"no-such-key\""),
        ])
    func badValues(key: String, value: String, expected: String) {
        do {
            _ = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: [key: value])
            Issue.record("accepted \(key)=\(value)")
        } catch {
            #expect("\(error)".contains(expected))
            #expect("\(error)".contains("--\(key)"))
        }
    }

    @Test("IPv6 listen addresses lose their brackets")
    func ipv6() throws {
        let configuration = try ServerConfiguration.resolve(configFile: nil, environment: [:], flags: ["listen": "[::1]:8081"])
        #expect(configuration.host == "::1")
        #expect(configuration.port == 8081)
    }
}

@Suite("Server configuration: storage settings")
struct StorageConfigurationTests {
    @Test("durations read with a unit or as seconds", arguments: [
        ("30d", Int64(30 * 86_400_000)), ("12h", 43_200_000), ("90m", 5_400_000), ("45s", 45_000),
        ("500ms", 500), ("2w", 1_209_600_000), ("60", 60_000), ("1.5h", 5_400_000), (" 5s ", 5_000),
    ])
    func durations(text: String, millis: Int64) {
        #expect(ServerConfiguration.parseDurationMillis(text) == millis)
    }

    @Test("bad durations are refused", arguments: ["", "d", "-5s", "5 parsecs", "1e30d", "nan"])
    func badDurations(text: String) {
        #expect(ServerConfiguration.parseDurationMillis(text) == nil)
    }

    @Test("retention and head settings come from the environment and flags; a bad value names its key")
    func storageKeys() throws {
        let configuration = try ServerConfiguration.resolve(
            configFile: nil,
            environment: ["BASIN_HEAD_FLUSH_INTERVAL": "1s", "BASIN_COMPACTION_INTERVAL": "2s", "BASIN_HEAD_MAX_SAMPLES": "3000"],
            flags: ["retention": "7d"])
        #expect(configuration.retentionMillis == 7 * 86_400_000)
        #expect(configuration.headFlushIntervalMillis == 1_000)
        #expect(configuration.compactionIntervalMillis == 2_000)
        #expect(configuration.headMaxSamples == 3_000)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(configFile: nil, environment: ["BASIN_RETENTION": "forever"], flags: [:])
        }
        do {
            _ = try ServerConfiguration.resolve(configFile: nil, environment: ["BASIN_RETENTION": "forever"], flags: [:])
        } catch let error as ConfigurationError {
            #expect(error.message.contains("retention"))
        }
    }
}
