import BasinModel
import BasinTestKit
import DialectDatadog
import Foundation
import StorageAPI
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("DogStatsDServer", .timeLimit(.minutes(1)))
struct DogStatsDServerTests {
    /// Receipt time of every datagram: 3 s into the bucket that starts at 1_700_000_000_000.
    static let now: Int64 = 1_700_000_003_000

    static func configuration(udp: Bool = true, socketPath: String? = nil) -> DogStatsDConfiguration {
        var configuration = DogStatsDConfiguration()
        if udp {
            configuration.udpHost = "127.0.0.1"
            configuration.udpPort = 0
        }
        configuration.socketPath = socketPath
        configuration.flushIntervalMillis = 10_000
        return configuration
    }

    static func start(_ configuration: DogStatsDConfiguration, store: any MetricStore, records: (any RecordStore)? = nil) async throws -> DogStatsDServer {
        try await DogStatsDServer.start(configuration: configuration, store: store, records: records, clock: { now })
    }

    /// Sends one UDP datagram to 127.0.0.1:`port`.
    static func sendUDP(_ text: String, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bytes = Array(text.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Sends one datagram to a Unix datagram socket.
    static func sendUnix(_ text: String, path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let bytes = Array(text.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// Flushes everything until `store` holds samples (the datagram arrives asynchronously).
    static func flushUntilStored(_ server: DogStatsDServer, _ store: any MetricStore) async throws -> [String] {
        for _ in 0..<250 {
            await server.flush(final: true)
            let lines = try await dogStatsDDump(store)
            if !lines.isEmpty { return lines }
            try await Task.sleep(for: .milliseconds(20))
        }
        return []
    }

    static let packet = """
        page.views:1|c
        page.views:2|c|@0.5
        fuel:3|g|#tank:a|c:ignored
        latency:5|ms
        latency:15|ms
        users:u1|s
        users:u2|s
        size:4|d|c:container-id
        bad line
        _e{2,2}:hi|yo|#a:b
        _sc|db.ok|2|m:down

        """

    @Test("Datagrams sent over UDP reach the metric store aggregated as the Agent would")
    func udpEndToEnd() async throws {
        let store = InMemoryMetricStore()
        let records = DogStatsDTestRecordStore()
        let server = try await Self.start(Self.configuration(), store: store, records: records)
        let port = try #require(server.udpPort)
        #expect(port > 0)
        Self.sendUDP(Self.packet, port: port)
        let lines = try await Self.flushUntilStored(server, store)
        await server.shutdown()
        let t = 1_700_000_000_000
        let key = DatadogDistributionSketch.key(for: 4)
        #expect(lines == [
            "{__name__=\"fuel\", tank=\"a\"} \(t) 3.0",
            "{__name__=\"latency.95percentile\"} \(t) 15.0",
            "{__name__=\"latency.avg\"} \(t) 10.0",
            "{__name__=\"latency.count\"} \(t) 0.2",
            "{__name__=\"latency.max\"} \(t) 15.0",
            "{__name__=\"latency.median\"} \(t) 5.0",
            "{__name__=\"page.views\"} \(t) 0.5",
            "{__name__=\"size\", dd_bin=\"\(key)\", dd_dist=\"bin\"} \(t) 1.0",
            "{__name__=\"size\", dd_dist=\"count\"} \(t) 1.0",
            "{__name__=\"size\", dd_dist=\"max\"} \(t) 4.0",
            "{__name__=\"size\", dd_dist=\"min\"} \(t) 4.0",
            "{__name__=\"size\", dd_dist=\"sum\"} \(t) 4.0",
            "{__name__=\"users\"} \(t) 2.0",
        ])
        let metadata = try await store.metricMetadata(org: OrgID("default"), metricName: nil)
        #expect(metadata["page.views"]?.dialect == "datadog")
        #expect(metadata["page.views"]?.intervalSeconds == 10)
        #expect(metadata["size"]?.vendorType == "distribution")
        let events = await records.records(.events)
        #expect(events.count == 1)
        #expect(events.first.flatMap { DatadogEvent(record: $0) }?.title == "hi")
        let checks = await records.records(.serviceChecks)
        #expect(checks == [DatadogServiceCheck(check: "db.ok", status: 2, message: "down").record(nowMillis: Self.now)])
    }

    @Test("A failed append is retried with the next flush")
    func failedAppendIsRetried() async throws {
        let store = DogStatsDFlakyMetricStore(failures: 1)
        let server = try await Self.start(Self.configuration(), store: store)
        Self.sendUDP("retry.me:4|g\n", port: try #require(server.udpPort))
        let lines = try await Self.flushUntilStored(server, store)
        await server.shutdown()
        #expect(lines == ["{__name__=\"retry.me\"} 1700000000000 4.0"])
        #expect(store.appends.withLock { $0 } == 2)
    }

    @Test("Datagrams sent to a Unix datagram socket are read like UDP ones")
    func unixDatagramSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("basin-dsd-\(UInt32.random(in: 0...UInt32.max)).sock").path
        let store = InMemoryMetricStore()
        let server = try await Self.start(Self.configuration(udp: false, socketPath: path), store: store)
        #expect(server.udpPort == nil)
        Self.sendUnix("uds.gauge:9|g|#via:uds\n", path: path)
        let lines = try await Self.flushUntilStored(server, store)
        await server.shutdown()
        #expect(lines == ["{__name__=\"uds.gauge\", via=\"uds\"} 1700000000000 9.0"])
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("Shutdown flushes the open buckets")
    func shutdownFlushes() async throws {
        let store = InMemoryMetricStore()
        let server = try await Self.start(Self.configuration(), store: store)
        Self.sendUDP("late:1|c\n", port: try #require(server.udpPort))
        try await Task.sleep(for: .milliseconds(300))
        await server.shutdown()
        #expect(try await dogStatsDDump(store) == ["{__name__=\"late\"} 1700000000000 0.1"])
    }
}
