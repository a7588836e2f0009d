import BasinModel
import BasinWire

/// The working state of ``BluefloodIngestDecoder/decodeMetrics(_:pathTenant:multiTenant:)``:
/// one element's members, reused for every element, and what the request has produced so far.
///
/// Blueflood binds the body with Jackson 1 (`JSONMetric` / `JSONMetricScoped`), validates each
/// element (Bean Validation) and then converts the valid ones (`JSONMetricsContainer`). This
/// state follows the same two phases per element, keeping their errors apart so the response
/// lists validation errors first and value errors after them, as Blueflood does.
struct BluefloodMetricState {
    /// What an element's `metricValue` was.
    enum Value {
        /// Absent or `null`: the element is dropped without an error (§3.1).
        case missing
        case number(Double)
        /// A string, a boolean, an object or an array (`metric value must be numeric`).
        case nonNumeric
        /// An object or array nested past ``BluefloodIntakeOptions/maxValueDepth``.
        case tooDeep
    }

    let options: BluefloodIntakeOptions
    let pathTenant: String
    let multiTenant: Bool
    var sinks = BluefloodTenantSinks()
    var validationErrors: [BluefloodErrorEntry] = []
    var valueErrors: [BluefloodErrorEntry] = []
    /// The first conversion failure of a valid element; reported once the body parsed.
    var abort: BluefloodIntakeFailure?
    var skipStack: [UInt8] = []

    // One element, reset for each.
    var name: [UInt8] = []
    var nameBytes: Int?
    var tenant: [UInt8] = []
    var tenantBytes: Int?
    var unit: [UInt8] = []
    var unitBytes: Int?
    var value = Value.missing
    var collectionTime: Int64 = 0
    var ttlSeconds: Int64 = 0

    init(options: BluefloodIntakeOptions, pathTenant: String, multiTenant: Bool) {
        self.options = options
        self.pathTenant = pathTenant
        self.multiTenant = multiTenant
        sinks.pathTenant = pathTenant
    }

    mutating func reset() {
        nameBytes = nil
        tenantBytes = nil
        unitBytes = nil
        value = .missing
        collectionTime = 0
        ttlSeconds = 0
    }

    /// Decodes the whole body: `[element, …]` and nothing after it.
    mutating func decode(_ scanner: inout JSONScanner) throws(WireError) {
        try scanner.readArrayStart()
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            reset()
            try decodeElement(&scanner)
            finishElement()
        }
        try scanner.readEnd()
    }

    /// Reads one element's members. Jackson 1 fails on any member `JSONMetric` lacks.
    private mutating func decodeElement(_ scanner: inout JSONScanner) throws(WireError) {
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "metricName") {
                nameBytes = try Self.readText(&scanner, into: &name, limit: options.maxMetricNameBytes)
            } else if ByteText.equals(key, "metricValue") {
                try readValue(&scanner)
            } else if ByteText.equals(key, "collectionTime") {
                collectionTime = try BluefloodJSON.readJacksonInteger(&scanner, in: Int64.min...Int64.max)
            } else if ByteText.equals(key, "ttlInSeconds") {
                ttlSeconds = try BluefloodJSON.readJacksonInteger(&scanner, in: Int64(Int32.min)...Int64(Int32.max))
            } else if ByteText.equals(key, "unit") {
                unitBytes = try Self.readText(&scanner, into: &unit, limit: options.maxUnitBytes)
            } else if multiTenant, ByteText.equals(key, "tenantId") {
                tenantBytes = try Self.readText(&scanner, into: &tenant, limit: options.maxTenantBytes)
            } else {
                throw WireError(.unexpectedByte, "Unrecognized field \"\(String(decoding: key, as: UTF8.self))\"", offset: scanner.position)
            }
        }
    }

    /// Reads a scalar as text into `buffer` (at most `limit` bytes kept).
    ///
    /// Static on purpose: a method on `self` taking `&self.name` makes the compiler copy `self`
    /// for the call, which keeps the buffer shared and turns `removeAll(keepingCapacity:)` into
    /// an allocation per element.
    /// - Returns: the full length in bytes, or nil for `null`.
    private static func readText(_ scanner: inout JSONScanner, into buffer: inout [UInt8], limit: Int) throws(WireError) -> Int? {
        guard let text = try BluefloodJSON.readScalarText(&scanner) else { return nil }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, max(limit, 0))]))
        return text.count
    }

    /// `metricValue` is an `Object` in `JSONMetric`: any JSON binds, only numbers are kept.
    private mutating func readValue(_ scanner: inout JSONScanner) throws(WireError) {
        switch scanner.peekToken() {
        case .null:
            _ = try scanner.readNull()
            value = .missing
        case .number:
            value = .number(try scanner.readDouble())
        case .string, .bool:
            _ = try BluefloodJSON.skip(&scanner, maxDepth: options.maxValueDepth, stack: &skipStack)
            value = .nonNumeric
        default:
            let skipped = try BluefloodJSON.skip(&scanner, maxDepth: options.maxValueDepth, stack: &skipStack)
            value = skipped == .tooDeep ? .tooDeep : .nonNumeric
        }
    }

    // MARK: Validation and conversion

    private var entryTenant: String {
        multiTenant ? String(decoding: tenant[..<min(tenant.count, tenantBytes ?? 0)], as: UTF8.self) : pathTenant
    }

    private var metricName: String {
        String(decoding: name[..<min(name.count, nameBytes ?? 0)], as: UTF8.self)
    }

    private mutating func finishElement() {
        let before = validationErrors.count
        validate()
        guard validationErrors.count == before else { return }
        convert()
    }

    /// Bean Validation of `JSONMetric` (and `JSONMetricScoped`), plus this server's limits.
    private mutating func validate() {
        var failures: [(source: String, message: String)] = []
        if multiTenant {
            if (tenantBytes ?? 0) == 0 {
                failures.append(("tenantId", "may not be empty"))
            } else if let bytes = tenantBytes, bytes > options.maxTenantBytes {
                failures.append(("tenantId", BluefloodIntakeOptions.overLimit("tenantId", bytes: bytes, limit: options.maxTenantBytes)))
            }
        }
        if (nameBytes ?? 0) == 0 {
            failures.append(("metricName", "may not be empty"))
        } else if let bytes = nameBytes, bytes > options.maxMetricNameBytes {
            failures.append(("metricName", BluefloodIntakeOptions.overLimit("metricName", bytes: bytes, limit: options.maxMetricNameBytes)))
        }
        if !options.isInWindow(collectionTime) {
            failures.append(("collectionTime", options.outOfBoundsMessage))
        }
        if ttlSeconds < 1 {
            failures.append(("ttlInSeconds", "must be between 1 and 2147483647"))
        }
        if let bytes = unitBytes, bytes > options.maxUnitBytes {
            failures.append(("unit", BluefloodIntakeOptions.overLimit("unit", bytes: bytes, limit: options.maxUnitBytes)))
        }
        guard !failures.isEmpty else { return }
        let tenantId = entryTenant
        let metricName = self.metricName
        for failure in failures {
            validationErrors.append(BluefloodErrorEntry(
                tenantId: tenantId, timestamp: collectionTime, metricName: metricName,
                source: failure.source, message: failure.message))
        }
    }

    /// `JSONMetricsContainer` conversion of a valid element; value errors name the path tenant.
    private mutating func convert() {
        let number: Double
        switch value {
        case .missing:
            return
        case .nonNumeric:
            valueError("metric value must be numeric")
            return
        case .tooDeep:
            valueError("metricValue is nested deeper than the limit of \(options.maxValueDepth) levels")
            return
        case .number(let parsed):
            number = parsed
        }
        guard abort == nil else { return }
        // `Metric`'s constructor refuses the largest TTL that validation lets through (B56).
        if ttlSeconds == Int64(Int32.max) {
            abort = .generic(pathTenant, "Invalid data TTL supplied for metric is invalid. Required: 0 < ttl < 2147483647, provided: 2147483647")
            return
        }
        // A value beyond Double.MAX_VALUE cannot be stored: Blueflood answers 500 (§3.1).
        guard number.isFinite else {
            abort = .internalError("Failed parsing content")
            return
        }
        let unitText = unitBytes.map { _ in String(decoding: unit, as: UTF8.self) }
        let time = collectionTime, ttl = ttlSeconds
        if multiTenant {
            let tenant = entryTenant
            name.withUnsafeBytes { name in
                sinks.sinks[tenant, default: BluefloodTenantSink()].appendBasic(
                    name: name, timestampMillis: time, value: number, unit: unitText, ttlSeconds: ttl)
            }
        } else {
            name.withUnsafeBytes { name in
                sinks.path.appendBasic(name: name, timestampMillis: time, value: number, unit: unitText, ttlSeconds: ttl)
            }
        }
    }

    private mutating func valueError(_ message: String) {
        valueErrors.append(BluefloodErrorEntry(
            tenantId: pathTenant, timestamp: collectionTime, metricName: metricName, source: "metricValue", message: message))
    }
}
