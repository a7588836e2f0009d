import BasinHTTP
import BasinIntakeConformance
import BasinModel
import HTTPTypes
import Testing

@testable import DialectDatadog

/// Datadog's `/api/v1/series` through the shared intake conformance suite.
@Suite("Datadog intake conformance")
struct DatadogIntakeConformanceTests {
    static let profile = IntakeProfile(
        name: "datadog",
        register: { environment, _, router in DatadogRoutes(environment: environment).register(on: router) },
        path: "/api/v1/series", contentType: "application/json",
        credentialHeader: HTTPField.Name("DD-API-KEY")!, org: .default,
        validBody: { t, name, value in
            Array(#"{"series":[{"metric":"\#(name)","points":[[\#(t / 1000),\#(value)]],"type":"gauge","host":"h1"}]}"#.utf8)
        },
        successStatuses: [202], unauthorizedStatuses: [403], maxDecompressedBytes: HTTPLimits().maxDecompressedBytes,
        padded: IntakeProfile.padJSON)

    @Test("the intake passes the conformance check", arguments: IntakeConformance.checkNames)
    func conformance(check: String) async throws {
        try await IntakeConformance.run(check, profile: Self.profile)
    }
}
