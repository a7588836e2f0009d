import BasinModel

/// The query parameters of `GET /views/{metricName}` and `POST /views` (§8.1), decoded and checked.
public struct BluefloodPlotRequest: Sendable, Equatable {
    /// Inclusive start, milliseconds since the epoch.
    public var fromMillis: Int64
    /// Inclusive end, milliseconds since the epoch; greater than ``fromMillis``.
    public var toMillis: Int64
    /// The resolution: `resolution=` as given, or chosen from `points=` (which wins when both are given).
    public var granularity: BluefloodGranularity
    /// The statistics `select=` asked for, deduplicated in ``BluefloodStat`` order; nil when
    /// `select` was absent (each metric type's defaults), empty when it named nothing known.
    public var select: [BluefloodStat]?

    public init(fromMillis: Int64, toMillis: Int64, granularity: BluefloodGranularity, select: [BluefloodStat]? = nil) {
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.granularity = granularity
        self.select = select
    }

    /// Checks and decodes the parameters in Blueflood's order, so the first failure reported is
    /// the one Blueflood reports (BF-http `outputs/utils/PlotRequestParser.java`).
    ///
    /// - Parameters:
    ///   - parameters: the query string as decoded, in order, repeated names kept.
    ///   - nowMillis: the server clock, for the TTL part of the `points=` selection.
    /// - Returns: the request, or the error whose message is the exact text of the 400 error body.
    public static func parse(_ parameters: [(name: String, value: String)], nowMillis: Int64) -> Result<BluefloodPlotRequest, BluefloodParameterError> {
        guard !parameters.isEmpty else { return .failure(BluefloodParameterError("No query parameters present.")) }
        func values(_ name: String) -> [String]? {
            let found = parameters.filter { $0.name == name }.map(\.value)
            return found.isEmpty ? nil : found
        }
        let points = values("points"), resolution = values("resolution")
        let from = values("from"), to = values("to")
        guard points != nil || resolution != nil else { return .failure(BluefloodParameterError("Either 'points' or 'resolution' is required.")) }
        if let points, points.count != 1 { return .failure(BluefloodParameterError("Invalid parameter: points=\(javaList(points))")) }
        if let resolution, resolution.count != 1 { return .failure(BluefloodParameterError("Invalid parameter: resolution=\(javaList(resolution))")) }
        guard let from, from.count == 1 else { return .failure(BluefloodParameterError("Invalid parameter: from=\(javaList(from))")) }
        guard let to, to.count == 1 else { return .failure(BluefloodParameterError("Invalid parameter: to=\(javaList(to))")) }
        guard let fromMillis = Int64(from[0]) else { return .failure(BluefloodParameterError("parameter 'from' must be a valid long")) }
        guard let toMillis = Int64(to[0]) else { return .failure(BluefloodParameterError("parameter 'to' must be a valid long")) }
        guard toMillis > fromMillis else { return .failure(BluefloodParameterError("parameter 'to' must be greater than 'from'")) }
        let select = values("select").map(selection)
        if let points {
            // Java's Integer.parseInt: 32-bit range.
            guard let count = Int32(points[0]) else { return .failure(BluefloodParameterError("parameter 'points' must be a valid integer")) }
            let granularity = BluefloodGranularity.forPoints(Int(count), fromMillis: fromMillis, toMillis: toMillis, nowMillis: nowMillis)
            return .success(BluefloodPlotRequest(fromMillis: fromMillis, toMillis: toMillis, granularity: granularity, select: select))
        }
        guard let name = resolution?.first, let granularity = BluefloodGranularity(resolution: name) else {
            return .failure(BluefloodParameterError("parameter 'resolution' is not valid. Allowed values ['FULL', 'MIN5', 'MIN20', 'MIN60', 'MIN240', 'MIN1440']"))
        }
        return .success(BluefloodPlotRequest(fromMillis: fromMillis, toMillis: toMillis, granularity: granularity, select: select))
    }

    /// `select` values: repeated parameters and comma lists both work, unknown names are ignored (B55).
    static func selection(_ values: [String]) -> [BluefloodStat] {
        let named = Set(values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.compactMap { BluefloodStat(selectItem: $0) })
        return BluefloodStat.allCases.filter(named.contains)
    }

    /// A parameter list as Java's `List.toString` writes it, `null` when absent.
    static func javaList(_ values: [String]?) -> String {
        guard let values else { return "null" }
        return "[" + values.joined(separator: ", ") + "]"
    }
}

/// A view request's parameters are invalid: a 400 whose generic error body carries ``message`` (§8.1).
public struct BluefloodParameterError: ClassifiedError, Sendable, Equatable, CustomStringConvertible {
    /// Blueflood's exact message (`No query parameters present.`, `Invalid parameter: to=null`, …).
    public var message: String
    public var kind: ErrorKind { .badRequest }

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
