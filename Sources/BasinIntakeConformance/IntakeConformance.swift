import BasinHTTP
import BasinModel
import BasinTestKit
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StorageAPI
import StorageEngine

/// A mismatch found by ``IntakeConformance``.
public struct IntakeConformanceFailure: Error, CustomStringConvertible {
    public var check: String
    public var message: String
    public var description: String { "\(check): \(message)" }
}

/// The intake suite every dialect's metric intake passes, over the real embedded stores in a
/// temporary directory and the dialect's routes on a router.
///
/// ```swift
/// @Test("the intake passes the conformance check", arguments: IntakeConformance.checkNames)
/// func conformance(check: String) async throws {
///     try await IntakeConformance.run(check, profile: myProfile)
/// }
/// ```
public enum IntakeConformance {
    /// The secret of the token the checks send (ingest and query scopes, the profile's organisation).
    public static let secret = "intake-conformance-token"

    public struct Check: Sendable {
        public let name: String
        public let run: @Sendable (IntakeProfile) async throws -> Void
    }

    public static let checks: [Check] = [
        Check(name: "an acknowledged sample is readable at once", run: checkAcknowledgedReadable),
        Check(name: "an acknowledged sample survives closing and reopening the store", run: checkAcknowledgedDurable),
        Check(name: "a request without credentials or with an unknown token stores nothing", run: checkCredentials),
        Check(name: "a gzip body is accepted", run: checkGzip),
        Check(name: "a body over the limit after decompression is refused naming the limit", run: checkDecompressedLimit),
        Check(name: "a partial batch keeps its valid samples", run: checkPartialBatch),
        Check(name: "hostile bytes never get a server error", run: checkHostileBytes),
        Check(name: "a full disk answers the vendor's retry status with Retry-After", run: checkDiskFull),
    ]

    public static var checkNames: [String] { checks.map(\.name) }

    public static func run(_ name: String, profile: IntakeProfile) async throws {
        guard let check = checks.first(where: { $0.name == name }) else {
            throw IntakeConformanceFailure(check: name, message: "no such check")
        }
        try await check.run(profile)
    }

    // MARK: Checks

    static func checkAcknowledgedReadable(_ profile: IntakeProfile) async throws {
        let check = "acknowledged"
        try await Harness.with(profile) { h in
            let t = Harness.sampleTime()
            let status = try await h.post(profile.validBody(t, "conformance.ack", 42.5))
            try expect(profile.successStatuses.contains(status.code), check, "\(profile.name): status \(status.code) \(status.body)")
            let found = try await h.values(profile.storedName("conformance.ack"), around: t)
            try expect(found == [42.5], check, "\(profile.name): read back \(found)")
        }
    }

    static func checkAcknowledgedDurable(_ profile: IntakeProfile) async throws {
        let check = "durable"
        let t = Harness.sampleTime()
        let directory = Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Harness.with(profile, directory: directory) { h in
            let status = try await h.post(profile.validBody(t, "conformance.durable", 7))
            try expect(profile.successStatuses.contains(status.code), check, "\(profile.name): status \(status.code) \(status.body)")
        }
        try await Harness.with(profile, directory: directory) { h in
            let found = try await h.values(profile.storedName("conformance.durable"), around: t)
            try expect(found == [7], check, "\(profile.name): after reopening read \(found)")
        }
    }

    static func checkCredentials(_ profile: IntakeProfile) async throws {
        let check = "credentials"
        try await Harness.with(profile) { h in
            let t = Harness.sampleTime()
            for secret in [nil, "not-a-token"] as [String?] {
                let status = try await h.post(profile.validBody(t, "conformance.auth", 1), secret: secret)
                try expect(profile.unauthorizedStatuses.contains(status.code), check,
                           "\(profile.name): secret \(secret ?? "none") answered \(status.code) \(status.body)")
            }
            let found = try await h.values(profile.storedName("conformance.auth"), around: t)
            try expect(found.isEmpty, check, "\(profile.name): stored \(found) without valid credentials")
        }
    }

    static func checkGzip(_ profile: IntakeProfile) async throws {
        let check = "gzip"
        try await Harness.with(profile) { h in
            let t = Harness.sampleTime()
            let body = try Harness.gzip(profile.validBody(t, "conformance.gzip", 3))
            let status = try await h.post(body, headers: [.contentEncoding: "gzip"])
            try expect(profile.successStatuses.contains(status.code), check, "\(profile.name): status \(status.code) \(status.body)")
            try expect(try await h.values(profile.storedName("conformance.gzip"), around: t) == [3], check, "\(profile.name): not stored")
        }
    }

    static func checkDecompressedLimit(_ profile: IntakeProfile) async throws {
        let check = "decompressed limit"
        try await Harness.with(profile) { h in
            let t = Harness.sampleTime()
            let big = profile.padded(profile.validBody(t, "conformance.big", 5), profile.maxDecompressedBytes + 1)
            try expect(big.count > profile.maxDecompressedBytes, check, "\(profile.name): padding produced only \(big.count) bytes")
            let body = try Harness.gzip(big)
            try expect(body.count < profile.maxDecompressedBytes, check, "\(profile.name): the compressed body is not smaller than the limit")
            let status = try await h.post(body, headers: [.contentEncoding: "gzip"])
            try expect(status.code == profile.tooLargeStatus, check, "\(profile.name): status \(status.code) \(status.body)")
            try expect(status.body.contains(String(profile.maxDecompressedBytes)), check, "\(profile.name): message does not name the limit: \(status.body)")
            try expect(try await h.values(profile.storedName("conformance.big"), around: t).isEmpty, check, "\(profile.name): stored over the limit")
            // Exactly at the limit is still accepted.
            let atLimit = profile.padded(profile.validBody(t, "conformance.atlimit", 6), profile.maxDecompressedBytes)
            if atLimit.count == profile.maxDecompressedBytes {
                let ok = try await h.post(try Harness.gzip(atLimit), headers: [.contentEncoding: "gzip"])
                try expect(profile.successStatuses.contains(ok.code), check, "\(profile.name): at the limit answered \(ok.code) \(ok.body)")
            }
        }
    }

    static func checkPartialBatch(_ profile: IntakeProfile) async throws {
        guard let partial = profile.partialBody, let expected = profile.partialStatus else { return }
        let check = "partial batch"
        try await Harness.with(profile) { h in
            let t = Harness.sampleTime()
            let status = try await h.post(partial(t, "conformance.partial", 9))
            try expect(status.code == expected, check, "\(profile.name): status \(status.code) \(status.body)")
            let found = try await h.values(profile.storedName("conformance.partial"), around: t)
            try expect(found == [9], check, "\(profile.name): valid part read back as \(found)")
        }
    }

    static func checkHostileBytes(_ profile: IntakeProfile) async throws {
        let check = "hostile bytes"
        try await Harness.with(profile) { h in
            var rng = SeededGenerator(seed: SeededGenerator.seed("IntakeConformance.\(profile.name)"))
            let valid = profile.validBody(Harness.sampleTime(), "conformance.hostile", 1)
            for round in 0..<150 {
                var body: [UInt8]
                switch round % 3 {
                case 0:
                    body = (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 1:
                    body = valid
                    for _ in 0..<Int.random(in: 1...8, using: &rng) where !body.isEmpty {
                        body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                default:
                    body = Array(valid.prefix(Int.random(in: 0...valid.count, using: &rng)))
                }
                let status = try await h.post(body)
                try expect(status.code < 500, check, "\(profile.name): \(status.code) for \(body.prefix(64).map { String($0, radix: 16) })")
            }
            let after = try await h.post(profile.validBody(Harness.sampleTime(), "conformance.after", 2))
            try expect(profile.successStatuses.contains(after.code), check, "\(profile.name): a valid request after the hostile ones answered \(after.code)")
        }
    }

    static func checkDiskFull(_ profile: IntakeProfile) async throws {
        let check = "disk full"
        try await Harness.with(profile, failAppends: true) { h in
            let status = try await h.post(profile.validBody(Harness.sampleTime(), "conformance.full", 1))
            try expect(status.code == profile.unavailableStatus, check, "\(profile.name): status \(status.code) \(status.body)")
            try expect(status.retryAfter == "5", check, "\(profile.name): Retry-After \(status.retryAfter ?? "missing")")
        }
    }

    static func expect(_ condition: Bool, _ check: String, _ message: @autoclosure () -> String) throws {
        if !condition { throw IntakeConformanceFailure(check: check, message: message()) }
    }
}
