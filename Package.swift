// swift-tools-version:6.2
import PackageDescription

// Dependency rules (see STYLE.md), enforced by the target graph below:
// - BasinModel imports nothing.
// - A dialect never imports another dialect or a storage implementation.
// - QueryEngine never imports a storage implementation.
// - StorageEngine and StorageClickHouse never import each other.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")

let package = Package(
    name: "basin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "basin", targets: ["basin"]),
        .library(name: "BasinBenchmarkSupport", targets: ["BasinModel", "BasinWire", "StorageAPI", "StorageEngine", "DialectDatadog", "DialectAxiom", "DialectBlueflood", "DialectSignalFx", "DialectDynatrace"]),
        // For the libFuzzer targets in Fuzz/ (a separate package, never built by the root build).
        .library(name: "BasinFuzzSupport", targets: ["BasinModel", "BasinWire", "StorageAPI", "DialectDatadog", "DialectDynatrace", "DialectAxiom", "DialectBlueflood", "DialectSignalFx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .target(name: "BasinModel", swiftSettings: swiftSettings),
        .target(
            name: "BasinWire",
            dependencies: ["BasinModel", nioCore, .product(name: "CompressNIO", package: "compress-nio")],
            swiftSettings: swiftSettings
        ),
        .target(name: "StorageAPI", dependencies: ["BasinModel"], swiftSettings: swiftSettings),
        // Hardware CRC32C (SSE4.2 / ARMv8 CRC), with the Swift tables as the fallback.
        .target(name: "CBasinCRC32C"),
        // The system zlib, for deflating sealed record partitions.
        .target(name: "CBasinZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(
            name: "StorageEngine",
            dependencies: ["BasinModel", "StorageAPI", "CBasinCRC32C", "CBasinZlib", logging, metrics],
            exclude: ["Docs"],
            swiftSettings: swiftSettings
        ),
        .target(name: "QueryEngine", dependencies: ["BasinModel", "StorageAPI"], swiftSettings: swiftSettings),
        .target(
            name: "BasinHTTP",
            dependencies: [
                "BasinModel", "BasinWire", "StorageAPI", hummingbird, nioCore, logging, metrics,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectDatadog",
            // NIOPosix: the DogStatsD listener's DatagramBootstrap (UDP and Unix datagram sockets).
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "QueryEngine", "BasinHTTP", hummingbird, nioCore, .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectDynatrace",
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "QueryEngine", "BasinHTTP", hummingbird, nioCore],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectAxiom",
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "BasinHTTP", hummingbird, nioCore, logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectBlueflood",
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "BasinHTTP", hummingbird, nioCore, logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectSignalFx",
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "BasinHTTP", hummingbird, nioCore, logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DialectPrometheus",
            dependencies: ["BasinModel", "BasinWire", "StorageAPI", "QueryEngine", "BasinHTTP", hummingbird, nioCore],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BasinServer",
            dependencies: [
                "BasinModel", "BasinWire", "StorageAPI", "StorageEngine", "QueryEngine", "BasinHTTP",
                "DialectDatadog", "DialectDynatrace", "DialectAxiom", "DialectBlueflood", "DialectSignalFx", "DialectPrometheus", hummingbird, logging, metrics,
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "basin",
            dependencies: [
                "BasinServer", "BasinHTTP", "StorageEngine", logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The intake suite every dialect's metric intake passes (tests only).
        .target(
            name: "BasinIntakeConformance",
            dependencies: [
                "BasinModel", "BasinHTTP", "BasinTestKit", "StorageAPI", "StorageEngine", hummingbird, nioCore, logging,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BasinTestKit",
            dependencies: ["BasinModel", "StorageAPI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "BasinModelTests", dependencies: ["BasinModel", "BasinTestKit"], swiftSettings: swiftSettings),
        .testTarget(name: "BasinWireTests", dependencies: ["BasinWire", "BasinModel", "BasinTestKit", nioCore, .product(name: "CompressNIO", package: "compress-nio")], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "StorageEngineTests",
            dependencies: ["StorageEngine", "StorageAPI", "BasinModel", "BasinTestKit", logging],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QueryEngineTests",
            dependencies: ["QueryEngine", "StorageAPI", "BasinModel", "BasinTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectDatadogTests",
            dependencies: ["BasinIntakeConformance", "DialectDatadog", "BasinWire", "BasinModel", "BasinTestKit", nioCore],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectDynatraceTests",
            dependencies: ["BasinIntakeConformance", 
                "DialectDynatrace", "BasinServer", "BasinHTTP", "BasinWire", "BasinModel", "BasinTestKit", "StorageAPI",
                "StorageEngine", hummingbird, nioCore, logging,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectAxiomTests",
            dependencies: [
                "DialectAxiom", "BasinServer", "BasinHTTP", "BasinWire", "BasinModel", "BasinTestKit", "StorageAPI",
                hummingbird, nioCore, logging,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectBluefloodTests",
            dependencies: ["BasinIntakeConformance", 
                "DialectBlueflood", "BasinServer", "BasinHTTP", "BasinWire", "BasinModel", "BasinTestKit", "StorageAPI",
                "StorageEngine", hummingbird, nioCore, logging, .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectSignalFxTests",
            dependencies: ["BasinIntakeConformance", 
                "DialectSignalFx", "BasinServer", "BasinHTTP", "BasinWire", "BasinModel", "BasinTestKit", "StorageAPI",
                "StorageEngine", hummingbird, nioCore, logging, .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DialectPrometheusTests",
            dependencies: ["DialectPrometheus", "QueryEngine", "StorageAPI", "BasinModel", "BasinTestKit"],
            resources: [.copy("Scripts")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BasinServerTests",
            dependencies: [
                "BasinServer", "BasinHTTP", "StorageEngine", "BasinModel", "BasinTestKit", "DialectDatadog", hummingbird,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
