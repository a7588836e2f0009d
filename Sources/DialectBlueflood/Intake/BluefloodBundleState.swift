import BasinModel
import BasinWire

/// The working state of ``BluefloodIngestDecoder/decodeAggregated(_:pathTenant:multi:)``:
/// reads bundles as Gson binds `AggregatedPayload` (unknown members ignored, numeric strings
/// accepted), validates each as Blueflood's Bean Validation does, and writes the valid ones.
///
/// A member of the wrong JSON type (a string `gauges`, an object `name`, a boolean `value`) is
/// a Gson `JsonSyntaxException`, which fails the whole request; everything else is an error
/// entry of the bundle.
struct BluefloodBundleState {
    let options: BluefloodIntakeOptions
    var sinks = BluefloodTenantSinks()
    var errors: [BluefloodErrorEntry] = []
    var validBundles = 0
    /// A failure of the whole request found while converting a valid bundle.
    var abort: BluefloodIntakeFailure?
    var skipStack: [UInt8] = []
    var bundle = BluefloodAggregatedBundle()

    init(options: BluefloodIntakeOptions) {
        self.options = options
    }

    /// Reads, validates and (when valid) stores one bundle object.
    mutating func decodeBundle(_ scanner: inout JSONScanner) throws(WireError) {
        bundle = BluefloodAggregatedBundle()
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "tenantId") {
                bundle.tenant = try readName(&scanner, limit: options.maxTenantBytes)
            } else if ByteText.equals(key, "timestamp") {
                bundle.timestampMillis = try readGsonLong(&scanner) ?? 0
            } else if ByteText.equals(key, "flushInterval") {
                bundle.flushIntervalMillis = try readGsonLong(&scanner) ?? 0
            } else if ByteText.equals(key, "gauges") {
                try readItems(&scanner) { (state, scanner, index) throws(WireError) in
                    try state.readGauge(&scanner, index: index)
                }
            } else if ByteText.equals(key, "counters") {
                try readItems(&scanner) { (state, scanner, index) throws(WireError) in
                    try state.readCounter(&scanner, index: index)
                }
            } else if ByteText.equals(key, "timers") {
                try readItems(&scanner) { (state, scanner, index) throws(WireError) in
                    try state.readTimer(&scanner, index: index)
                }
            } else if ByteText.equals(key, "sets") {
                try readItems(&scanner) { (state, scanner, index) throws(WireError) in
                    try state.readSet(&scanner, index: index)
                }
            } else {
                let source = String(decoding: key, as: UTF8.self)
                try skipUnknown(&scanner, source: source, metricName: "")
            }
        }
        finishBundle()
    }

    /// Reads a Gson array of item objects; `null` leaves the list empty, `null` items are skipped.
    private mutating func readItems(
        _ scanner: inout JSONScanner,
        _ readItem: (inout BluefloodBundleState, inout JSONScanner, Int) throws(WireError) -> Void
    ) throws(WireError) {
        if try scanner.readNull() { return }
        try scanner.readArrayStart()
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            if try scanner.readNull() { continue }
            try readItem(&self, &scanner, index)
            index += 1
        }
    }

    // MARK: Values

    /// A Gson `String` member, kept up to `limit` bytes.
    func readName(_ scanner: inout JSONScanner, limit: Int) throws(WireError) -> BluefloodAggregatedBundle.Name {
        guard let text = try BluefloodJSON.readScalarText(&scanner) else { return .init() }
        let kept = UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, max(limit, 0))])
        return .init(text: String(decoding: kept, as: UTF8.self), bytes: text.count)
    }

    /// A Gson `long`: a number or numeric string with an integral value; nil for `null`.
    func readGsonLong(_ scanner: inout JSONScanner) throws(WireError) -> Int64? {
        let start = scanner.position
        let double: Double?
        switch scanner.peekToken() {
        case .null:
            _ = try scanner.readNull()
            return nil
        case .number:
            let numberStart = scanner.position
            let decimal = try scanner.readDecimal()
            if !decimal.hasFractionOrExponent, let exact = decimal.scaledInt64(byPowerOfTen: 0) { return exact }
            double = DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: scanner.bytes[numberStart..<scanner.position]))
        case .string:
            let text = try scanner.readString()
            if let exact = BluefloodJSON.parseJavaInteger(text), text.count > 0 { return exact }
            double = BluefloodJSON.parseNumberText(text)
        case let token:
            throw scanner.mismatch(expected: "a long", found: token)
        }
        // JsonReader.nextLong: a double is accepted only when it is a whole long.
        guard let double, double.rounded(.towardZero) == double, double >= -9.223372036854775808e18, double < 9.223372036854775808e18 else {
            throw WireError(.invalidNumber, "Expected a long", offset: start)
        }
        return Int64(double)
    }

    /// A Gson `Number` member.
    func readStat(_ scanner: inout JSONScanner) throws(WireError) -> BluefloodAggregatedBundle.Stat {
        switch scanner.peekToken() {
        case .null:
            _ = try scanner.readNull()
            return .missing
        case .number:
            let value = try scanner.readDouble()
            return value.isFinite ? .value(value) : .outOfRange
        case .string:
            guard let value = BluefloodJSON.parseNumberText(try scanner.readString()) else { return .notNumeric }
            return value.isFinite ? .value(value) : .outOfRange
        case let token:
            throw scanner.mismatch(expected: "a number", found: token)
        }
    }

    /// Skips a member Gson ignores, noting a problem when it is nested too deeply.
    mutating func skipUnknown(_ scanner: inout JSONScanner, source: String, metricName: String) throws(WireError) {
        let skipped = try BluefloodJSON.skip(&scanner, maxDepth: options.maxValueDepth, stack: &skipStack)
        if skipped == .tooDeep {
            bundle.problems.append(.init(
                metricName: metricName, source: source,
                message: "\(source) is nested deeper than the limit of \(options.maxValueDepth) levels"))
        }
    }

    // MARK: Validation

    /// Validates the bundle just read; stores it when valid, else records its entries.
    private mutating func finishBundle() {
        var failures: [BluefloodAggregatedBundle.Problem] = []
        func fail(_ metricName: String, _ source: String, _ message: String) {
            failures.append(.init(metricName: metricName, source: source, message: message))
        }
        if (bundle.tenant.bytes ?? 0) == 0 {
            fail("", "tenantId", "may not be empty")
        } else if let bytes = bundle.tenant.bytes, bytes > options.maxTenantBytes {
            fail("", "tenantId", BluefloodIntakeOptions.overLimit("tenantId", bytes: bytes, limit: options.maxTenantBytes))
        }
        if !options.isInWindow(bundle.timestampMillis) {
            fail("", "timestamp", options.outOfBoundsMessage)
        }
        if bundle.flushIntervalMillis < 0 {
            fail("", "flushInterval", "must be between 0 and 9223372036854775807")
        }
        if !bundle.hasMetrics {
            fail("", "", "At least one of the aggregated metrics(gauges, counters, timers, sets) are expected")
        }
        validateItems(fail)
        failures += bundle.problems
        guard failures.isEmpty else {
            for failure in failures {
                errors.append(BluefloodErrorEntry(
                    tenantId: bundle.tenant.text, timestamp: bundle.timestampMillis, metricName: failure.metricName,
                    source: failure.source, message: failure.message))
            }
            return
        }
        validBundles += 1
        guard abort == nil else { return }
        if !bundle.appendSamples(to: &sinks.sinks[bundle.tenant.text, default: BluefloodTenantSink()]) {
            abort = .internalError("Failed parsing content")
        }
    }

    /// `@Valid` on each list: names non-empty, required numbers present.
    private func validateItems(_ fail: (String, String, String) -> Void) {
        func name(_ name: BluefloodAggregatedBundle.Name, _ path: String) {
            if (name.bytes ?? 0) == 0 {
                fail(name.text, path + ".name", "may not be empty")
            } else if let bytes = name.bytes, bytes > options.maxMetricNameBytes {
                fail(name.text, path + ".name", BluefloodIntakeOptions.overLimit("name", bytes: bytes, limit: options.maxMetricNameBytes))
            }
        }
        func stat(_ stat: BluefloodAggregatedBundle.Stat, required: Bool, _ metricName: String, _ source: String) {
            switch stat {
            case .missing where required: fail(metricName, source, "may not be null")
            case .notNumeric: fail(metricName, source, "must be numeric")
            case .outOfRange: fail(metricName, source, "must be a number within the range of a double")
            default: break
            }
        }
        for (i, gauge) in bundle.gauges.enumerated() {
            name(gauge.name, "gauges[\(i)]")
            stat(gauge.value, required: true, gauge.name.text, "gauges[\(i)].value")
        }
        for (i, counter) in bundle.counters.enumerated() {
            name(counter.name, "counters[\(i)]")
            stat(counter.value, required: true, counter.name.text, "counters[\(i)].value")
            stat(counter.rate, required: true, counter.name.text, "counters[\(i)].rate")
        }
        for (i, timer) in bundle.timers.enumerated() {
            name(timer.name, "timers[\(i)]")
            for (k, statName) in BluefloodAggregatedBundle.Timer.statNames.enumerated() {
                stat(timer.stats[k], required: k == 0, timer.name.text, "timers[\(i)].\(statName)")
            }
            for percentile in timer.percentiles {
                stat(percentile.avg, required: false, timer.name.text, "timers[\(i)].percentiles.\(percentile.key).avg")
            }
        }
        for (i, set) in bundle.sets.enumerated() {
            name(set.name, "sets[\(i)]")
        }
    }
}
