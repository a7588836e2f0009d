// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets for Basin's decoders and query parsers, kept out of the normal build
// (like Benchmarks/). Build and run from this directory with `./run.sh <Target> [seconds]`
// (see README.md); a plain `swift build` here fails to link, the targets need
// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library` so that libFuzzer supplies `main`.
//
// The tools version is deliberately 5.4: from 5.5 on, SwiftPM compiles an executable module's
// entry point as `<Module>_main` and links with `--defsym main=<Module>_main`, which fails
// (`undefined symbol 'FuzzZstd_main'`) when the module has no entry point of its own, as a
// libFuzzer target built with `-parse-as-library` has not.

let support: Target.Dependency = .product(name: "BasinFuzzSupport", package: "basin")

let package = Package(
    name: "BasinFuzz",
    dependencies: [
        .package(name: "basin", path: ".."),
    ],
    targets: [
        .executableTarget(name: "FuzzBluefloodIngest", dependencies: [support]),
        .executableTarget(name: "FuzzDatadogSeries", dependencies: [support]),
        .executableTarget(name: "FuzzDatadogQuery", dependencies: [support]),
        .executableTarget(name: "FuzzDynatraceLines", dependencies: [support]),
        .executableTarget(name: "FuzzAxiomIngest", dependencies: [support]),
        .executableTarget(name: "FuzzZstd", dependencies: [support]),
        .executableTarget(name: "FuzzSignalFx", dependencies: [support]),
    ]
)
