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
    var name = BluefloodElementText()
    var tenant = BluefloodElementText()
    var unit = BluefloodElementText()
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
        name.reset()
        tenant.reset()
        unit.reset()
        value = .missing
        collectionTime = 0
        ttlSeconds = 0
    }

    /// Decodes the whole body: `[element, …]` and nothing after it.
    mutating func decode(_ scanner: inout JSONScanner) throws(WireError) {
        // A basic element takes at least ~70 bytes (`{"collectionTime":…,"metricName":"…"}`);
        // sizing the name tables for one new name per 128 bytes spares their regrowth for a
        // body of new series at a bounded cost (a few bytes of table per 128 body bytes).
        if !multiTenant { sinks.path.reserveBasicCapacity(min(scanner.bytes.count / 128, 65_536)) }
        try scanner.readArrayStart()
        var first = true
        while try scanner.readNextArrayElement(isFirst: &first) {
            reset()
            try decodeElement(&scanner)
            finishElement()
        }
        try scanner.readEnd()
    }

    /// The members of `JSONMetric` (and `JSONMetricScoped`).
    enum Member {
        case metricName, metricValue, collectionTime, ttlInSeconds, unit, tenantId
    }

    /// Reads one element's members. Jackson 1 fails on any member `JSONMetric` lacks.
    private mutating func decodeElement(_ scanner: inout JSONScanner) throws(WireError) {
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            switch try Self.readMember(&scanner, multiTenant: multiTenant) {
            case .metricName:
                try BluefloodElementText.read(&scanner, into: &name, limit: options.maxMetricNameBytes)
            case .metricValue:
                try readValue(&scanner)
            case .collectionTime:
                collectionTime = try BluefloodJSON.readJacksonInteger(&scanner, in: Int64.min...Int64.max)
            case .ttlInSeconds:
                ttlSeconds = try BluefloodJSON.readJacksonInteger(&scanner, in: Int64(Int32.min)...Int64(Int32.max))
            case .unit:
                try BluefloodElementText.read(&scanner, into: &unit, limit: options.maxUnitBytes)
            case .tenantId:
                try BluefloodElementText.read(&scanner, into: &tenant, limit: options.maxTenantBytes)
            }
        }
    }

    /// Reads a member's key and its `:`.
    ///
    /// The keys are first matched in place, in the order clients write them, which spares
    /// scanning them; anything else (another order costs a few compares more, escapes or an
    /// unknown member) goes through ``JSONScanner/readKey()``.
    /// - Throws: for a member `JSONMetric` lacks (`tenantId` only in `/ingest/multi`).
    @inline(__always)
    private static func readMember(_ scanner: inout JSONScanner, multiTenant: Bool) throws(WireError) -> Member {
        if scanner.readKey(ifEqualTo: "collectionTime") { return .collectionTime }
        if scanner.readKey(ifEqualTo: "ttlInSeconds") { return .ttlInSeconds }
        if scanner.readKey(ifEqualTo: "metricValue") { return .metricValue }
        if scanner.readKey(ifEqualTo: "metricName") { return .metricName }
        let key = try scanner.readKey()
        if ByteText.equals(key, "metricName") { return .metricName }
        if ByteText.equals(key, "metricValue") { return .metricValue }
        if ByteText.equals(key, "collectionTime") { return .collectionTime }
        if ByteText.equals(key, "ttlInSeconds") { return .ttlInSeconds }
        if ByteText.equals(key, "unit") { return .unit }
        if multiTenant, ByteText.equals(key, "tenantId") { return .tenantId }
        throw WireError(.unexpectedByte, "Unrecognized field \"\(String(decoding: key, as: UTF8.self))\"", offset: scanner.position)
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
        multiTenant ? tenant.string : pathTenant
    }

    private var metricName: String {
        name.string
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
            if (tenant.byteCount ?? 0) == 0 {
                failures.append(("tenantId", "may not be empty"))
            } else if let bytes = tenant.byteCount, bytes > options.maxTenantBytes {
                failures.append(("tenantId", BluefloodIntakeOptions.overLimit("tenantId", bytes: bytes, limit: options.maxTenantBytes)))
            }
        }
        if (name.byteCount ?? 0) == 0 {
            failures.append(("metricName", "may not be empty"))
        } else if let bytes = name.byteCount, bytes > options.maxMetricNameBytes {
            failures.append(("metricName", BluefloodIntakeOptions.overLimit("metricName", bytes: bytes, limit: options.maxMetricNameBytes)))
        }
        if !options.isInWindow(collectionTime) {
            failures.append(("collectionTime", options.outOfBoundsMessage))
        }
        if ttlSeconds < 1 {
            failures.append(("ttlInSeconds", "must be between 1 and 2147483647"))
        }
        if let bytes = unit.byteCount, bytes > options.maxUnitBytes {
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
        let time = collectionTime, ttl = ttlSeconds
        let hasUnit = unit.byteCount != nil
        if multiTenant {
            let tenant = entryTenant
            name.withBytes { name in
                unit.withBytes { unit in
                    sinks.sinks[tenant, default: BluefloodTenantSink()].appendBasic(
                        name: name, timestampMillis: time, value: number, unit: hasUnit ? unit : nil, ttlSeconds: ttl)
                }
            }
        } else {
            name.withBytes { name in
                unit.withBytes { unit in
                    sinks.path.appendBasic(name: name, timestampMillis: time, value: number, unit: hasUnit ? unit : nil, ttlSeconds: ttl)
                }
            }
        }
    }

    private mutating func valueError(_ message: String) {
        valueErrors.append(BluefloodErrorEntry(
            tenantId: pathTenant, timestamp: collectionTime, metricName: metricName, source: "metricValue", message: message))
    }
}
