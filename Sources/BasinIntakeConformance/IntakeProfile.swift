import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import StorageAPI

/// What the intake conformance suite needs to know about one dialect's metric intake: how to
/// register its routes, how to write a valid request, and which statuses its vendor answers.
///
/// Every dialect test target describes its intake once and runs every check of
/// ``IntakeConformance`` against it, so behaviours the issues demand of every vendor surface
/// (durable acknowledgement, credentials, compression, body limits after decompression, partial
/// batches, hostile bytes, a full disk) are tested the same way everywhere.
public struct IntakeProfile: Sendable {
    /// Registers the dialect's routes over the given environment and record store.
    public typealias Register = @Sendable (DialectEnvironment, any RecordStore, Router<BasinRequestContext>) -> Void
    /// A request body holding exactly one valid sample of `metricName` at `timeMillis` with `value`.
    public typealias ValidBody = @Sendable (_ timeMillis: Int64, _ metricName: String, _ value: Double) -> [UInt8]

    /// The dialect's name, for messages.
    public var name: String
    public var register: Register
    /// The ingest path (with any tenant or environment segment filled in).
    public var path: String
    /// The request's `Content-Type` (nil sends none).
    public var contentType: String?
    /// The credential header and how the token's secret is written into it.
    public var credentialHeader: HTTPField.Name
    public var credentialValue: @Sendable (_ secret: String) -> String
    /// The organisation the test token belongs to (Blueflood: the tenant in the path).
    public var org: OrgID
    public var validBody: ValidBody
    /// The series name a sample written as `metricName` is stored under (Dynatrace renames some).
    public var storedName: @Sendable (_ metricName: String) -> String = { $0 }
    /// Statuses of a fully accepted request.
    public var successStatuses: Set<Int>
    /// The status without credentials or with an unknown secret.
    public var unauthorizedStatuses: Set<Int>
    /// The dialect's body limit after decompression, in bytes.
    public var maxDecompressedBytes: Int
    /// The status over that limit.
    public var tooLargeStatus: Int = 413
    /// The status when the store reports a full disk (`unavailable` with a retry delay).
    public var unavailableStatus: Int = 503
    /// A body with one valid sample of `metricName` (at `timeMillis`, `value`) and one invalid
    /// item, and the status the vendor answers while keeping the valid one; nil when the vendor
    /// accepts no partial batches.
    public var partialBody: ValidBody?
    public var partialStatus: Int?
    /// Pads a valid body to at least `bytes` bytes while keeping it valid for the dialect's
    /// syntax (whitespace in JSON, comment lines in line protocols).
    public var padded: @Sendable (_ body: [UInt8], _ bytes: Int) -> [UInt8]

    public init(
        name: String, register: @escaping Register, path: String, contentType: String?,
        credentialHeader: HTTPField.Name, credentialValue: @escaping @Sendable (String) -> String = { $0 }, org: OrgID,
        validBody: @escaping ValidBody, successStatuses: Set<Int>, unauthorizedStatuses: Set<Int>, maxDecompressedBytes: Int,
        padded: @escaping @Sendable ([UInt8], Int) -> [UInt8]
    ) {
        self.name = name
        self.register = register
        self.path = path
        self.contentType = contentType
        self.credentialHeader = credentialHeader
        self.credentialValue = credentialValue
        self.org = org
        self.validBody = validBody
        self.successStatuses = successStatuses
        self.unauthorizedStatuses = unauthorizedStatuses
        self.maxDecompressedBytes = maxDecompressedBytes
        self.padded = padded
    }

    /// Pads JSON with spaces before its last byte (`]` or `}`).
    public static func padJSON(_ body: [UInt8], _ bytes: Int) -> [UInt8] {
        guard body.count < bytes, let last = body.last else { return body }
        return Array(body.dropLast()) + [UInt8](repeating: 0x20, count: bytes - body.count) + [last]
    }
}
