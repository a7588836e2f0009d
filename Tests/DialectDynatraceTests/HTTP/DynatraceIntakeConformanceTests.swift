import BasinHTTP
import BasinIntakeConformance
import BasinModel
import HTTPTypes
import Testing

@testable import DialectDynatrace

/// Dynatrace's `/api/v2/metrics/ingest` through the shared intake conformance suite.
@Suite("Dynatrace intake conformance")
struct DynatraceIntakeConformanceTests {
    static let profile: IntakeProfile = {
        var profile = IntakeProfile(
            name: "dynatrace",
            register: { environment, _, router in DynatraceRoutes(environment: environment).register(on: router) },
            path: "/api/v2/metrics/ingest", contentType: "text/plain; charset=utf-8",
            credentialHeader: .authorization, credentialValue: { "Api-Token \($0)" }, org: .default,
            validBody: { t, name, value in Array("\(name),host=a gauge,\(value) \(t)".utf8) },
            successStatuses: [202], unauthorizedStatuses: [401], maxDecompressedBytes: HTTPLimits().maxDecompressedBytes,
            padded: { body, bytes in body.count >= bytes ? body : body + [UInt8](repeating: 0x0A, count: bytes - body.count) })
        // Dynatrace stores the good lines and answers 400 listing the bad ones.
        profile.partialBody = { t, name, value in Array("\(name),host=a gauge,\(value) \(t)\n\(name) gauge,not-a-number".utf8) }
        profile.partialStatus = 400
        return profile
    }()

    @Test("the intake passes the conformance check", arguments: IntakeConformance.checkNames)
    func conformance(check: String) async throws {
        try await IntakeConformance.run(check, profile: Self.profile)
    }
}
