import BasinModel
import DialectDynatrace
import Foundation
import Testing

/// Golden files: `Fixtures/Intake/Dynatrace/<case>.request.txt` (bodies the real
/// dynatrace-metric-utils client sent, and spec-derived mixes) beside `<case>.expected.txt`.
///
/// `BASIN_UPDATE_GOLDEN=1 swift test --filter DialectDynatraceTests` rewrites the expected files
/// in the source tree and then fails, so an update is never silently green.
@Suite("Dynatrace line golden files")
struct DynatraceGoldenTests {
    /// One minute after the fixtures' capture time, so their timestamps are inside the window.
    static let nowMillis: Int64 = 1_795_351_034_000

    static var fixtureDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Intake/Dynatrace")
    }

    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Intake/Dynatrace")
    }

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".request.txt") }.map { String($0.dropLast(".request.txt".count)) }.sorted()
    }()

    @Test("fixture cases are present")
    func casesPresent() {
        #expect(Self.cases.count >= 3)
    }

    @Test("parses each fixture to its golden rendering", arguments: cases)
    func golden(name: String) throws {
        let body = try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent("\(name).request.txt"))
        let rendered: String
        switch parseLines(String(decoding: body, as: UTF8.self), options: DynatraceIngestOptions(nowMillis: Self.nowMillis)) {
        case .success(let (batch, result)): rendered = DynatraceRendering.render(batch, result)
        case .failure(let error): rendered = "# error: \(error.message)\n"
        }
        let expectedName = "\(name).expected.txt"
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: Self.sourceDirectory.appendingPathComponent(expectedName), atomically: true, encoding: .utf8)
            Issue.record("updated \(expectedName); rerun without BASIN_UPDATE_GOLDEN")
            return
        }
        guard let expected = try? String(contentsOf: Self.fixtureDirectory.appendingPathComponent(expectedName), encoding: .utf8) else {
            Issue.record("missing \(expectedName); run with BASIN_UPDATE_GOLDEN=1 to create it")
            return
        }
        #expect(rendered == expected)
    }
}
