// swift-tools-version:6.2
import PackageDescription

// Benchmarks for Basin (package-benchmark), kept out of the normal build.
// Run from this directory: `swift package benchmark`
// (see the README for figures and options).

let benchmarkSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "BasinBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "basin", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The generator's bodies and manifest, and the setup error, shared by the benchmarks.
        .target(
            name: "BenchmarkBodies",
            path: "Benchmarks/BenchmarkBodies",
            swiftSettings: benchmarkSettings
        ),
        .executableTarget(
            name: "DatadogSeriesV1Decoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/DatadogSeriesV1Decoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DatadogSeriesV2ProtobufDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/DatadogSeriesV2ProtobufDecoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EmbeddedStoreAppend",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/EmbeddedStoreAppend",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SampleChunkCodec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/SampleChunkCodec",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "WALReplay",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/WALReplay",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LabelsBuild",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/LabelsBuild",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AxiomNDJSONDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/AxiomNDJSONDecoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RecordStoreAppend",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/RecordStoreAppend",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DynatraceLineParsing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/DynatraceLineParsing",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BluefloodIngestDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/BluefloodIngestDecoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BluefloodRollupView",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BluefloodRollupView",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SignalFxJSONDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/SignalFxJSONDecoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SignalFxProtobufDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkBodies",
                .product(name: "BasinBenchmarkSupport", package: "basin"),
            ],
            path: "Benchmarks/SignalFxProtobufDecoding",
            swiftSettings: benchmarkSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
