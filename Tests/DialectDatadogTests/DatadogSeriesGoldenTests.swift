import BasinModel
import BasinWire
import DialectDatadog
import Foundation
import Testing

/// Golden files: `Fixtures/Intake/Datadog/<case>.request.json` (a decompressed body, from real
/// clients' captures and the spec's test vectors) beside `<case>.expected.txt`. Cases named
/// `v2-*` are `/api/v2/series` JSON bodies, the others `/api/v1/series`.
///
/// `BASIN_UPDATE_GOLDEN=1 swift test --filter DialectDatadogTests` rewrites the expected files
/// in the source tree and then fails, so an update is never silently green.
@Suite("Datadog series golden files")
struct DatadogSeriesGoldenTests {
    /// The receive time the fixtures are decoded at (timestamps ≤ 0 become this).
    static let nowMillis: Int64 = 1_800_000_000_000

    static var fixtureDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Intake/Datadog")
    }

    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Intake/Datadog")
    }

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".request.json") }
            .map { String($0.dropLast(".request.json".count)) }
            .sorted()
    }()

    @Test("fixture cases are present")
    func casesPresent() {
        #expect(Self.cases.count >= 10)
    }

    @Test("decodes each fixture to its golden rendering", arguments: cases)
    func golden(name: String) throws {
        let body = try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent("\(name).request.json"))
        let rendered: String
        let options = DatadogIntakeOptions(nowMillis: Self.nowMillis)
        // `v2-*` cases are /api/v2/series JSON bodies; the others /api/v1/series.
        let decoded = name.hasPrefix("v2-") ? decodeV2(Array(body), options: options) : decodeV1(Array(body), options: options)
        switch decoded {
        case .success(let (batch, result)): rendered = BatchRendering.render(batch, result)
        case .failure(let error): rendered = "# error: \(error.message)\n"
        }
        let expectedName = "\(name).expected.txt"
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: Self.sourceDirectory.appendingPathComponent(expectedName), atomically: true, encoding: .utf8)
            Issue.record("updated \(expectedName); rerun without BASIN_UPDATE_GOLDEN")
            return
        }
        let expectedURL = Self.fixtureDirectory.appendingPathComponent(expectedName)
        guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
            Issue.record("missing \(expectedName); run with BASIN_UPDATE_GOLDEN=1 to create it")
            return
        }
        #expect(rendered == expected)
    }
}
