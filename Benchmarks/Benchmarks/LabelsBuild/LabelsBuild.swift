// Cost of building one label set from 8 pairs with a reused `LabelsBuilder` (what a decoder
// does once per series). `scalingFactor` .kilo: the figures are per build; the one malloc
// expected per build is the result's byte buffer.

import Benchmark
import BasinModel

/// The name and 7 tags of a bench-data series (`gen_payloads.py` shape), in arrival order.
let labelPairs: [(name: String, value: String)] = [
    ("__name__", "http.request.duration.p99"),
    ("host", "host-00042"),
    ("env", "prod"),
    ("region", "eu-west-1"),
    ("az", "eu-west-1b"),
    ("instance_type", "c5.2xlarge"),
    ("service", "checkout"),
    ("endpoint", "/api/v1/orders"),
]

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000,
        thresholds: [
            // Gated for `thresholds check`: mallocs (one per build) and instructions.
            .mallocCountTotal: .init(relative: [.p90: 2.0], absolute: [.p90: 2]),
            .instructions: .init(relative: [.p90: 5.0]),
            .wallClock: .init(relative: [:], absolute: [:]),
            .throughput: .init(relative: [:], absolute: [:]),
        ]
    )

    Benchmark("8_pairs_from_bytes", configuration: configuration) { benchmark in
        // Pairs as byte arrays, as a decoder holds slices of the request body.
        let pairs = labelPairs.map { (name: Array($0.name.utf8), value: Array($0.value.utf8)) }
        var builder = LabelsBuilder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            builder.reset()
            for pair in pairs {
                builder.add(name: pair.name, value: pair.value)
            }
            blackHole(builder.build())
        }
    }

    Benchmark("8_pairs_from_strings", configuration: configuration) { benchmark in
        var builder = LabelsBuilder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            builder.reset()
            for pair in labelPairs {
                builder.add(name: pair.name, value: pair.value)
            }
            blackHole(builder.build())
        }
    }
}
