import BasinHTTP
import BasinModel
import Logging
import NIOCore
import NIOPosix
import StorageAPI
import Synchronization

/// Where the DogStatsD listener binds and whom its data belongs to.
public struct DogStatsDConfiguration: Sendable {
    /// UDP host and port (`dogstatsd-listen`); nil = no UDP socket. Port 0 picks a free port.
    public var udpHost: String?
    /// UDP port.
    public var udpPort: Int = 8125
    /// Unix datagram socket path (`dogstatsd-socket`); nil = none. An existing socket file is replaced.
    public var socketPath: String?
    /// The organisation that receives everything (`dogstatsd-org`).
    public var org = OrgID("default")
    /// How often closed buckets are written (`dogstatsd-flush-interval`); also the bucket length, in whole seconds (≥ 1).
    public var flushIntervalMillis: Int64 = 10_000
    /// Packet and line limits.
    public var limits = DogStatsDLimits()
    /// Aggregation bounds and label limits (its `intervalSeconds` is set from ``flushIntervalMillis``).
    public var aggregator = DogStatsDAggregator.Options()
    /// Samples kept for retry after a failed `append`; older ones are dropped (and counted) beyond.
    public var maxRetrySamples: Int = 1_000_000

    /// Nothing bound.
    public init() {}

    /// Whether any socket is configured.
    public var isEnabled: Bool { udpHost != nil || socketPath != nil }
}

/// The DogStatsD listener (spec §5): UDP and/or Unix datagram sockets, parsed by
/// ``DogStatsDParser``, aggregated by ``DogStatsDAggregator``, flushed every interval as one
/// `append` for the organisation (plus record appends for events and service checks), and once
/// more on ``shutdown()``.
///
/// A failed append is logged and its batch retried with the next flush (bounded by
/// ``DogStatsDConfiguration/maxRetrySamples``; overflow is dropped and counted). Malformed lines
/// and dropped points are counted in `basin_samples_rejected_total{dialect="datadog",endpoint="dogstatsd"}`.
public final class DogStatsDServer: Sendable {
    /// The self-metrics endpoint name.
    public static let endpoint = "dogstatsd"

    let configuration: DogStatsDConfiguration
    let parser: DogStatsDParser
    let aggregator: Mutex<DogStatsDAggregator>
    let flusher: DogStatsDFlusher
    let clock: @Sendable () -> Int64
    let selfMetrics: SelfMetrics
    let logger: Logger
    let channels: Mutex<[any Channel]> = Mutex([])
    let loop: Mutex<Task<Void, Never>?> = Mutex(nil)
    let unixReader: Mutex<DogStatsDUnixSocketReader?> = Mutex(nil)

    /// The bound UDP port, when UDP is configured.
    public var udpPort: Int? {
        channels.withLock { $0.first?.localAddress?.port }
    }

    init(configuration: DogStatsDConfiguration, store: any MetricStore, records: (any RecordStore)?,
         selfMetrics: SelfMetrics, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        var configuration = configuration
        configuration.aggregator.intervalSeconds = max(1, configuration.flushIntervalMillis / 1000)
        self.configuration = configuration
        parser = DogStatsDParser(limits: configuration.limits)
        aggregator = Mutex(DogStatsDAggregator(options: configuration.aggregator))
        flusher = DogStatsDFlusher(
            store: store, records: records, org: configuration.org, maxRetrySamples: configuration.maxRetrySamples,
            selfMetrics: selfMetrics, logger: logger)
        self.clock = clock
        self.selfMetrics = selfMetrics
        self.logger = logger
    }

    /// Binds the configured sockets and starts the flush loop.
    ///
    /// - Parameter clock: milliseconds since the epoch (injected by tests).
    /// - Throws: when a socket cannot be bound (then nothing stays bound).
    public static func start(
        configuration: DogStatsDConfiguration, store: any MetricStore, records: (any RecordStore)?,
        selfMetrics: SelfMetrics = SelfMetrics(), logger: Logger = Logger(label: "basin.dogstatsd"),
        clock: @escaping @Sendable () -> Int64 = { DialectEnvironment.nowMillis() }
    ) async throws -> DogStatsDServer {
        let server = DogStatsDServer(configuration: configuration, store: store, records: records,
                                     selfMetrics: selfMetrics, logger: logger, clock: clock)
        do {
            if let host = configuration.udpHost {
                let channel = try await server.bootstrap().bind(host: host, port: configuration.udpPort).get()
                server.channels.withLock { $0.append(channel) }
                logger.info("dogstatsd listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            }
            if let path = configuration.socketPath {
                let reader = try DogStatsDUnixSocketReader.start(path: path, maxPacketBytes: configuration.limits.maxPacketBytes) { [server] bytes in
                    server.receive(bytes)
                }
                server.unixReader.withLock { $0 = reader }
                logger.info("dogstatsd listening", metadata: ["socket": "\(path)"])
            }
        } catch {
            await server.closeChannels()
            throw error
        }
        server.loop.withLock { $0 = Task { await server.runFlushLoop() } }
        return server
    }

    func bootstrap() -> DatagramBootstrap {
        let capacity = configuration.limits.maxPacketBytes + 1   // one more, so oversize packets are seen as such
        return DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: capacity))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DogStatsDHandler(server: self))
                }
            }
    }

    /// Parses one UDP datagram and adds its messages to the open buckets.
    func receive(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { receive($0) }
    }

    /// Parses one datagram (only read during the call) and adds its messages to the open buckets.
    func receive(_ raw: UnsafeRawBufferPointer) {
        let now = clock()
        var messages: [DogStatsDMessage] = []
        var rejected = 0
        parser.parsePacket(raw) { outcome in
            switch outcome {
            case .success(let message): messages.append(message)
            case .failure(let error):
                rejected += 1
                logger.debug("dogstatsd: line dropped", metadata: ["reason": "\(error.reason)"])
            }
        }
        if !messages.isEmpty {
            aggregator.withLock { aggregator in
                for message in messages { aggregator.add(message, nowMillis: now) }
            }
        }
        if rejected > 0 {
            selfMetrics.recordSamples(dialect: "datadog", endpoint: Self.endpoint, accepted: 0, rejected: rejected)
        }
    }

    func runFlushLoop() async {
        let interval = max(1, configuration.flushIntervalMillis)
        while !Task.isCancelled {
            let now = clock()
            let wait = interval - ((now % interval) + interval) % interval
            do {
                try await Task.sleep(for: .milliseconds(wait))
            } catch {
                return
            }
            await flush(final: false)
        }
    }

    /// Takes what closed by now (everything when `final`) out of the aggregator and stores it.
    public func flush(final: Bool) async {
        let now = clock()
        let (output, counts) = aggregator.withLock { aggregator in
            (aggregator.flush(nowMillis: now, final: final), aggregator.counts)
        }
        await flusher.store(output, counts: counts)
    }

    /// Stops the flush loop, flushes everything still open and closes the sockets.
    public func shutdown() async {
        let task = loop.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await closeChannels()
        // Not cancelled with the caller: the final flush must reach the store.
        await Task { await self.flush(final: true) }.value
    }

    func closeChannels() async {
        let open = channels.withLock { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in open { try? await channel.close() }
        let reader = unixReader.withLock { reader in
            defer { reader = nil }
            return reader
        }
        await reader?.stop()
    }
}

/// Hands each received datagram to the server.
final class DogStatsDHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let server: DogStatsDServer

    init(server: DogStatsDServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        server.receive(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket keeps serving after a read error (for example ICMP-induced ones).
        server.logger.debug("dogstatsd: socket error", metadata: ["error": "\(error)"])
    }
}
