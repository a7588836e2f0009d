/// How a SignalFx body is encoded, chosen by `Content-Type` (spec §1, §8 vectors 19–21).
enum SignalFxBodyFormat: Sendable, Equatable {
    /// `application/json`, and a request without `Content-Type` (the gateway's fallback route,
    /// spec §8 vector 20).
    case json
    /// `application/x-protobuf`: `DataPointUploadMessage` or `EventUploadMessage`.
    case protobuf
    /// `application/x-protobuf;format=otlp`: OTLP metrics.
    case otlp

    /// The format of a `Content-Type` value; nil for any other media type.
    ///
    /// The media type is compared case-insensitively, parameters other than `format` (such as
    /// `charset`) are ignored, and `text/json` counts as JSON.
    init?(contentType: String?) {
        guard let contentType else {
            self = .json
            return
        }
        let parts = contentType.lowercased().split(separator: ";", omittingEmptySubsequences: false)
        let media = parts.first.map { $0.trimmingASCII(" \t") } ?? ""
        switch media {
        case "", "application/json", "text/json":
            self = .json
        case "application/x-protobuf":
            let otlp = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingASCII(" \t\"") }
                return pair.count == 2 && pair[0] == "format" && pair[1] == "otlp"
            }
            self = otlp ? .otlp : .protobuf
        default:
            return nil
        }
    }
}

extension Substring {
    /// The substring without the given leading and trailing ASCII characters.
    func trimmingASCII(_ set: String) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
