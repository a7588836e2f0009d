import BasinIntakeConformance
import BasinModel
import HTTPTypes
import Testing

@testable import DialectBlueflood

/// Blueflood's `/ingest` through the shared intake conformance suite.
@Suite("Blueflood intake conformance")
struct BluefloodIntakeConformanceTests {
    static func sample(_ t: Int64, _ name: String, _ value: Double) -> String {
        #"{"collectionTime":\#(t),"ttlInSeconds":86400,"metricValue":\#(value),"metricName":"\#(name)"}"#
    }

    static let profile: IntakeProfile = {
        var profile = IntakeProfile(
            name: "blueflood",
            register: { environment, records, router in BluefloodRoutes(environment: environment, records: records).register(on: router) },
            path: "/v2.0/836986/ingest", contentType: "application/json",
            credentialHeader: HTTPField.Name("X-Auth-Token")!, org: OrgID("836986"),
            validBody: { t, name, value in Array("[\(sample(t, name, value))]".utf8) },
            successStatuses: [200], unauthorizedStatuses: [401], maxDecompressedBytes: Blueflood.maxBodyBytes,
            padded: IntakeProfile.padJSON)
        profile.partialBody = { t, name, value in
            Array(("[" + sample(t, name, value) + #",{"collectionTime":\#(t),"ttlInSeconds":86400,"metricValue":"x","metricName":"bad"}]"#).utf8)
        }
        profile.partialStatus = 207
        return profile
    }()

    @Test("the intake passes the conformance check", arguments: IntakeConformance.checkNames)
    func conformance(check: String) async throws {
        try await IntakeConformance.run(check, profile: Self.profile)
    }
}
