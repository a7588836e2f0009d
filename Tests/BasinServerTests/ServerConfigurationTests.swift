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
