import BasinHTTP
import BasinIntakeConformance
import BasinModel
import HTTPTypes
import Testing

@testable import DialectSignalFx

/// SignalFx's `/v2/datapoint` (JSON) through the shared intake conformance suite.
@Suite("SignalFx intake conformance")
struct SignalFxIntakeConformanceTests {
    static let profile: IntakeProfile = {
        var profile = IntakeProfile(
            name: "signalfx",
            register: { environment, records, router in SignalFxRoutes(environment: environment, records: records).register(on: router) },
            path: "/v2/datapoint", contentType: "application/json",
            credentialHeader: HTTPField.Name("X-SF-Token")!, org: .default,
            validBody: { t, name, value in
                Array(#"{"gauge":[{"metric":"\#(name)","value":\#(value),"timestamp":\#(t),"dimensions":{"host":"h1"}}]}"#.utf8)
            },
            successStatuses: [200], unauthorizedStatuses: [401], maxDecompressedBytes: HTTPLimits().maxDecompressedBytes,
            padded: IntakeProfile.padJSON)
        // SignalFx drops invalid points and still answers 200 "OK" (§3.5).
        profile.partialBody = { t, name, value in
            Array(#"{"gauge":[{"metric":"\#(name)","value":\#(value),"timestamp":\#(t)},{"metric":"","value":1,"timestamp":\#(t)}]}"#.utf8)
        }
        profile.partialStatus = 200
        return profile
    }()

    @Test("the intake passes the conformance check", arguments: IntakeConformance.checkNames)
    func conformance(check: String) async throws {
        try await IntakeConformance.run(check, profile: Self.profile)
    }
}
