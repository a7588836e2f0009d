import BasinModel
import HTTPTypes

extension ErrorKind {
    /// The status a kind maps to when a vendor has no more specific rule.
    ///
    /// Dialects start from this table and override where their vendor differs (Datadog answers
    /// 403 for a bad key, Prometheus 422 for execution errors, and so on).
    public var defaultStatus: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unprocessable: .unprocessableContent
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .limitExceeded: .unprocessableContent
        case .timeout: .serviceUnavailable
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }
}
