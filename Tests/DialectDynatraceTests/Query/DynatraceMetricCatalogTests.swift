import Testing

@testable import DialectDynatrace

/// `fields=` and the key wildcards of `GET /api/v2/metrics`.
@Suite("Dynatrace metric descriptors")
struct DynatraceMetricCatalogTests {
    @Test("fields: defaults, a plain list replaces, +x adds (also as a decoded space), -x removes, metricId alone is keys only", arguments: [
        (nil as String?, ["displayName", "description", "unit"]),
        ("unit,aggregationTypes", ["unit", "aggregationTypes"]),
        ("+aggregationTypes", ["displayName", "description", "unit", "aggregationTypes"]),
        (" aggregationTypes", ["displayName", "description", "unit", "aggregationTypes"]),
        ("-description,+tags", ["displayName", "unit", "tags"]),
        ("metricId", []),
        ("metricId,unit", ["unit"]),
    ])
    func fields(_ text: String?, _ expected: [String]) throws {
        #expect(try DynatraceDescriptorField.parse(text).map(\.rawValue) == expected)
    }

    @Test("an unknown field is a parameter error")
    func unknownField() {
        #expect(throws: DynatraceParameterError(parameter: "fields", message: "Unknown field 'created'")) {
            try DynatraceDescriptorField.parse("unit,created")
        }
    }

    @Test("wildcards in keys", arguments: [
        ("builtin:*", "builtin:host.cpu.idle", true), ("builtin:*", "ext:x", false), ("*.count", "visits.count", true),
        ("a*b*c", "a.b.c", true), ("a*b*c", "a.c", false), ("ab*ba", "aba", false), ("exact", "exact", true), ("exact", "exactly", false),
        ("*", "anything", true),
    ])
    func glob(_ pattern: String, _ name: String, _ matches: Bool) {
        #expect(DynatraceMetricCatalog.glob(pattern, matches: name) == matches)
    }
}
