/// The body formats of Axiom's ingest endpoints, chosen by `Content-Type` (spec §5.1).
public enum AxiomIngestFormat: Sendable, Equatable {
    /// `application/json`: a JSON array of objects, or (detected by the first non-space byte
    /// not being `[`) one or more objects separated by whitespace, NDJSON among them.
    case json
    /// `application/x-ndjson` (also `application/nd-json`, `application/ndjson`,
    /// `application/jsonl`): one object per line; blank lines ignored. A body starting with `[`
    /// is read as an array, as under ``json``.
    case ndjson
    /// `text/csv`: a header row (or `X-Axiom-CSV-Fields`) and one event per row.
    case csv

    /// The format of a `Content-Type` value (parameters such as `charset` ignored).
    ///
    /// A missing type, `text/plain` and `application/x-www-form-urlencoded` (what `curl -d`
    /// sends) are read as ``json``; nil for any other type (answered with `415`).
    public init?(contentType: String?) {
        guard let contentType else {
            self = .json
            return
        }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " \t").lowercased()
        } ?? ""
        switch mediaType {
        case "application/json", "text/json", "", "text/plain", "application/x-www-form-urlencoded":
            self = .json
        case "application/x-ndjson", "application/nd-json", "application/ndjson", "application/jsonl",
             "application/x-jsonlines", "application/jsonlines", "application/json-seq":
            self = .ndjson
        case "text/csv", "application/csv":
            self = .csv
        default:
            if mediaType.hasSuffix("+json") {
                self = .json
            } else {
                return nil
            }
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
