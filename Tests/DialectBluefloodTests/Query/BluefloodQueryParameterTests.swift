import Testing

@testable import DialectBlueflood

/// `GET /views` parameters (§8.1): Blueflood's messages and check order.
@Suite("Blueflood query parameters")
struct BluefloodQueryParameterTests {
    static let now: Int64 = 1_764_547_200_000

    static func parse(_ query: String) -> Result<BluefloodPlotRequest, BluefloodParameterError> {
        let pairs = query.isEmpty ? [] : query.split(separator: "&").map { item -> (name: String, value: String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        return BluefloodPlotRequest.parse(pairs, nowMillis: now)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var query: String
        var message: String
        var testDescription: String { query.isEmpty ? "(no parameters)" : query }
    }

    static let failures: [Failure] = [
        Failure(query: "", message: "No query parameters present."),  // B39
        Failure(query: "from=111111", message: "Either 'points' or 'resolution' is required."),  // B40
        Failure(query: "from=1&to=2&points=xxx", message: "parameter 'points' must be a valid integer"),  // B41
        Failure(query: "from=xxx&to=2&points=10", message: "parameter 'from' must be a valid long"),
        Failure(query: "from=2&to=1&points=10", message: "parameter 'to' must be greater than 'from'"),
        Failure(query: "from=2&to=2&points=10", message: "parameter 'to' must be greater than 'from'"),
        Failure(query: "from=1&to=yyy&points=10", message: "parameter 'to' must be a valid long"),
        Failure(query: "from=1764547200000&resolution=full", message: "Invalid parameter: to=null"),  // B42
        Failure(query: "to=5&resolution=full", message: "Invalid parameter: from=null"),
        Failure(query: "from=1&from=2&to=5&resolution=full", message: "Invalid parameter: from=[1, 2]"),
        Failure(query: "from=1&to=5&to=6&resolution=full", message: "Invalid parameter: to=[5, 6]"),
        Failure(query: "from=1&to=5&points=1&points=2", message: "Invalid parameter: points=[1, 2]"),
        Failure(query: "from=1&to=5&resolution=full&resolution=min5", message: "Invalid parameter: resolution=[full, min5]"),
        Failure(query: "from=1&to=5&resolution=min7",
                message: "parameter 'resolution' is not valid. Allowed values ['FULL', 'MIN5', 'MIN20', 'MIN60', 'MIN240', 'MIN1440']"),
        Failure(query: "from=1&to=5&points=99999999999", message: "parameter 'points' must be a valid integer"),
        // Check order: arity before numbers, numbers before the range, the range before points.
        Failure(query: "from=x&to=1&to=2&points=y", message: "Invalid parameter: to=[1, 2]"),
        Failure(query: "from=x&to=y&points=z", message: "parameter 'from' must be a valid long"),
        Failure(query: "from=5&to=1&points=z", message: "parameter 'to' must be greater than 'from'"),
        Failure(query: "from=1&to=5&points=1&points=2&resolution=x&resolution=y", message: "Invalid parameter: points=[1, 2]"),
    ]

    @Test("invalid parameters give Blueflood's first message", arguments: failures)
    func invalid(c: Failure) {
        #expect(Self.parse(c.query) == .failure(BluefloodParameterError(c.message)))
    }

    @Test("resolution names are case-insensitive")
    func resolutionNames() throws {
        for g in BluefloodGranularity.allCases {
            let request = try Self.parse("from=1&to=5&resolution=\(g.name.lowercased())").get()
            #expect(request.granularity == g)
            #expect(request.fromMillis == 1 && request.toMillis == 5 && request.select == nil)
        }
    }

    @Test("points wins over resolution")
    func pointsWins() throws {
        let to = Self.now, from = to - 3_600_000
        let request = try Self.parse("from=\(from)&to=\(to)&resolution=MIN1440&points=300").get()
        #expect(request.granularity == .full)
    }

    @Test("select as repeated parameters and as a comma list is the same set (B55)")
    func selectForms() throws {
        let list = try Self.parse("from=1&to=5&resolution=full&select=average,min,max,sum").get()
        let repeated = try Self.parse("from=1&to=5&resolution=full&select=average&select=min&select=max&select=sum").get()
        #expect(list.select == [.average, .min, .max, .sum])
        #expect(list == repeated)
    }

    @Test("select is case-insensitive, deduplicated, and ignores unknown names")
    func selectNames() throws {
        let request = try Self.parse("from=1&to=5&resolution=full&select=NUMPOINTS,latest,bogus,,numPoints&select=Percentiles").get()
        #expect(request.select == [.numPoints, .latest, .percentiles])
        let unknown = try Self.parse("from=1&to=5&resolution=full&select=bogus").get()
        #expect(unknown.select == [])
    }
}
