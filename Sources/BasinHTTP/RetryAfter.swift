import HTTPTypes
import Hummingbird
import StorageAPI

/// The `Retry-After` header for failures that clear up by themselves, shared by every dialect.
///
/// Storage classifies such a failure once, where it happens: a full disk is a ``StorageError``
/// of kind `unavailable` (503 in ``BasinModel/ErrorKind/defaultStatus``) whose
/// ``StorageError/retryAfterSeconds`` says how long to wait. Each dialect renders its vendor's
/// envelope as usual and then calls ``Response/addingRetryAfter(for:)``, so every vendor's
/// client sees the same header (the Datadog Agent, OpenTelemetry exporters and Prometheus
/// remote write all retry 503s; the exporters honour the header's delay). Errors that name no
/// delay (a query timeout, a store shutting down) get no header.
public enum RetryAfter {
    /// The seconds a client should wait before retrying after `error`; nil when it names none.
    public static func seconds(for error: any Error) -> Int? {
        guard let storage = error as? StorageError, let seconds = storage.retryAfterSeconds, seconds > 0 else {
            return nil
        }
        return seconds
    }
}

extension HTTPFields {
    /// Sets `Retry-After` to a delay in seconds (the delay-seconds form of RFC 9110 §10.2.3).
    public mutating func setRetryAfter(seconds: Int) {
        self[.retryAfter] = String(Swift.max(0, seconds))
    }
}

extension Response {
    /// This response with `Retry-After` added when `error` names a delay, otherwise unchanged.
    public func addingRetryAfter(for error: any Error) -> Response {
        guard let seconds = RetryAfter.seconds(for: error) else { return self }
        var response = self
        response.headers.setRetryAfter(seconds: seconds)
        return response
    }
}
