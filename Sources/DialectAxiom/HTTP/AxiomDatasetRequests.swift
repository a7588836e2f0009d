/// The bodies of the datasets API (admin endpoints: Codable is fine here).

/// `POST /v{1,2}/datasets`: only `name` is required.
struct AxiomDatasetCreateRequest: Decodable {
    var name: String
    var description: String?
    var kind: String?
    var useRetentionPeriod: Bool?
    var retentionDays: Int?
}

/// `PUT /v{1,2}/datasets/{id}`.
struct AxiomDatasetUpdateRequest: Decodable {
    var description: String?
    var useRetentionPeriod: Bool?
    var retentionDays: Int?
}

/// `POST /v{1,2}/datasets/{id}/trim`: a Go duration (`1h0m0s`, axiom-py's `3600s`) or days (`30d`).
struct AxiomTrimRequest: Decodable {
    var maxDuration: String
}

/// Go's `time.ParseDuration` plus a `d` (day) unit.
enum AxiomDuration {
    /// Nanoseconds of a duration such as `1h30m`, `1.5h`, `300ms`, `3600s`, `30d`, `0`; nil when malformed.
    static func parseNanos(_ text: String) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86_400e9),
        ]
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            guard let unit = units.filter({ s.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
            s = s.dropFirst(unit.0.count)
            total += value * unit.1
        }
        guard total < 9.2e18 else { return nil }
        return Int64(negative ? -total : total)
    }
}
