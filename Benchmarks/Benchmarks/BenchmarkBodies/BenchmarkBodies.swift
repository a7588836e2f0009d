// What the decoding benchmarks share: reading the ../shared/bench generator's `body-*` files
// and its manifest, and the error a setup throws.

import Foundation

/// A benchmark's setup could not prepare its input.
public struct BenchSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The generator's request bodies in one directory (`body-*`, sorted by name).
public enum BenchmarkBodies {
    /// The directory named by the environment variable `variable`, else `fallback`.
    public static func directory(_ variable: String, default fallback: String) -> String {
        ProcessInfo.processInfo.environment[variable] ?? fallback
    }

    /// How many bodies a benchmark loads: `BASIN_BENCH_BODIES`, default 20.
    public static var count: Int {
        ProcessInfo.processInfo.environment["BASIN_BENCH_BODIES"].flatMap(Int.init) ?? 20
    }

    /// The first ``count`` files of `directory` named `body-*<suffix>`, in name order.
    ///
    /// - Parameter hint: appended to the error when there is no such file (how to make them).
    public static func load(_ directory: String, suffix: String = "", hint: String = "") throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("body-") && $0.hasSuffix(suffix) }
            .sorted()
            .prefix(count)
        guard !names.isEmpty else { throw BenchSetupError("no body-*\(suffix) files in \(directory)\(hint)") }
        return try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }

    /// The generator's `now` (seconds) from the `manifest.json` beside `directory`.
    public static func manifestNowSeconds(_ directory: String) throws -> Int64 {
        let manifest = try Data(contentsOf: URL(fileURLWithPath: directory + "/../manifest.json"))
        let object = try JSONSerialization.jsonObject(with: manifest) as? [String: Any]
        guard let now = ((object?["params"] as? [String: Any])?["now"] as? NSNumber)?.int64Value else {
            throw BenchSetupError("no params.now in \(directory)/../manifest.json")
        }
        return now
    }

    /// Prints `<name>: N bodies, mean M <unit>` (the figure that turns bodies/s into MB/s).
    public static func report(_ name: String, _ bodies: [[UInt8]], unit: String = "bytes") {
        let mean = bodies.isEmpty ? 0 : bodies.map(\.count).reduce(0, +) / bodies.count
        print("\(name): \(bodies.count) bodies, mean \(mean) \(unit)")
    }
}
