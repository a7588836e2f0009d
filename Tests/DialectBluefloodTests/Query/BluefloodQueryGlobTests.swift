import BasinModel
import BasinTestKit
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Glob → regular expression translation (§11, BF-core `utils/GlobPattern.java`).
@Suite("Blueflood query glob translation")
struct BluefloodQueryGlobTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var glob: String
        var regex: String
        var withinLevel = false
        var testDescription: String { "\(glob) → \(regex)\(withinLevel ? " (one level)" : "")" }
    }

    static let cases: [Case] = [
        Case(glob: "a.b", regex: #"a\.b"#),
        Case(glob: "a.*", regex: #"a\..*"#),
        Case(glob: "a.*", regex: #"a\.[^.]*"#, withinLevel: true),
        Case(glob: "a?c", regex: "a.c"),
        Case(glob: "a?c", regex: "a[^.]c", withinLevel: true),
        Case(glob: "{x,y}.z", regex: #"(?:x|y)\.z"#),
        Case(glob: "x,y}", regex: #"x,y\}"#),
        Case(glob: "n[0-9]", regex: "n[0-9]"),
        Case(glob: "n[!ab]", regex: "n[^ab]"),
        Case(glob: "n[a^b]", regex: #"n[a\^b]"#),
        Case(glob: "n[a\\]]", regex: #"n[a\]]"#),
        Case(glob: "$(x)|y+", regex: #"\$\(x\)\|y\+"#),
        Case(glob: #"a\*b"#, regex: #"a\*b"#),
        Case(glob: "a]b", regex: #"a\]b"#),
    ]

    @Test("globs translate to anchored-regex bodies that compile", arguments: cases)
    func translate(c: Case) throws {
        let glob = try BluefloodGlob(c.glob, withinLevel: c.withinLevel)
        #expect(glob.regex == c.regex)
        _ = try LabelMatcher(name: "__name__", op: .regexMatch, value: glob.regex)
    }

    @Test("wildcards, literal text and levels")
    func properties() throws {
        #expect(try BluefloodGlob("a.b.c").hasWildcard == false)
        #expect(try BluefloodGlob(#"a\.b"#).literal == "a.b")
        #expect(try BluefloodGlob("a.{b.c,d}.*").levels == 3)
        for wild in ["*", "?", "{a,b}", "[ab]"] { #expect(try BluefloodGlob(wild).hasWildcard) }
    }

    @Test("metric names with regex characters read their counter parts")
    func specialNames() async throws {
        typealias F = BluefloodQueryFixture
        let store = InMemoryMetricStore()
        let name = "app.req(ms)+[x]|y$"
        try await F.append(store, name, kind: .count, [(F.day, 5)])
        try await F.append(store, BluefloodSeriesNaming.partName(name, "sampleCount"), kind: .count, [(F.day, 2)])
        try await F.metadata(store, name, MetricMetadata(vendorType: "counter"))
        let view = try await F.reader(store).view(org: F.org, metricName: name, request: F.request(F.day, F.day + 1, .min5), nowMillis: F.day)
        #expect(view.points == [BluefloodPoint(timestampMillis: F.day, stats: [("numPoints", .integer(2)), ("sum", .integer(5))])])
        #expect(try await BluefloodSearch(store: store).metrics(org: F.org, query: "app.req(ms)+[x]|y$").isEmpty)
        #expect(try await BluefloodSearch(store: store).metrics(org: F.org, query: #"app.req(ms)+\[x\]|y$"#).map(\.name) == [name])
        #expect(try await BluefloodSearch(store: store).metrics(org: F.org, query: "app.req(ms)+*").map(\.name) == [name])
    }
}
