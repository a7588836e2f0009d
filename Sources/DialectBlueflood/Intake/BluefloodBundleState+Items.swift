import BasinWire

extension BluefloodBundleState {
    // MARK: Items (BluefloodGauge, BluefloodCounter, BluefloodTimer, BluefloodSet)

    mutating func readGauge(_ scanner: inout JSONScanner, index: Int) throws(WireError) {
        var gauge = BluefloodAggregatedBundle.Gauge()
        var name = BluefloodAggregatedBundle.Name()
        try readItem(&scanner, path: "gauges[\(index)]", name: &name) { (state, scanner, key) throws(WireError) in
            guard ByteText.equals(key, "value") else { return false }
            gauge.value = try state.readStat(&scanner)
            return true
        }
        gauge.name = name
        bundle.gauges.append(gauge)
    }

    mutating func readCounter(_ scanner: inout JSONScanner, index: Int) throws(WireError) {
        var counter = BluefloodAggregatedBundle.Counter()
        var name = BluefloodAggregatedBundle.Name()
        try readItem(&scanner, path: "counters[\(index)]", name: &name) { (state, scanner, key) throws(WireError) in
            if ByteText.equals(key, "value") {
                counter.value = try state.readStat(&scanner)
            } else if ByteText.equals(key, "rate") {
                counter.rate = try state.readStat(&scanner)
            } else {
                return false
            }
            return true
        }
        counter.name = name
        bundle.counters.append(counter)
    }

    mutating func readTimer(_ scanner: inout JSONScanner, index: Int) throws(WireError) {
        var timer = BluefloodAggregatedBundle.Timer()
        var name = BluefloodAggregatedBundle.Name()
        let path = "timers[\(index)]"
        try readItem(&scanner, path: path, name: &name) { (state, scanner, key) throws(WireError) in
            if let stat = BluefloodAggregatedBundle.Timer.statIndex(key) {
                timer.stats[stat] = try state.readStat(&scanner)
            } else if ByteText.equals(key, "percentiles") {
                timer.percentiles = try state.readPercentiles(&scanner, path: path + ".percentiles")
            } else {
                return false
            }
            return true
        }
        timer.name = name
        bundle.timers.append(timer)
    }

    mutating func readSet(_ scanner: inout JSONScanner, index: Int) throws(WireError) {
        var set = BluefloodAggregatedBundle.SetItem()
        var name = BluefloodAggregatedBundle.Name()
        let path = "sets[\(index)]"
        try readItem(&scanner, path: path, name: &name) { (state, scanner, key) throws(WireError) in
            guard ByteText.equals(key, "values") else { return false }
            set.values = try state.readSetValues(&scanner, path: path + ".values")
            return true
        }
        set.name = name
        bundle.sets.append(set)
    }

    /// Reads an item object: `name`, the members `readMember` knows (it returns false for the
    /// others), and skips the rest as Gson does.
    private mutating func readItem(
        _ scanner: inout JSONScanner, path: String, name: inout BluefloodAggregatedBundle.Name,
        _ readMember: (inout BluefloodBundleState, inout JSONScanner, UnsafeRawBufferPointer) throws(WireError) -> Bool
    ) throws(WireError) {
        let problemsBefore = bundle.problems.count
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "name") {
                name = try readName(&scanner, limit: options.maxMetricNameBytes)
            } else if try !readMember(&self, &scanner, key) {
                // `histogram` and unknown members: checked for syntax and depth, then ignored.
                let source = path + "." + String(decoding: key, as: UTF8.self)
                try skipUnknown(&scanner, source: source, metricName: "")
            }
        }
        // Problems found inside the item name it, wherever `name` came in the object.
        for i in problemsBefore..<bundle.problems.count {
            bundle.problems[i].metricName = name.text
        }
    }

    /// `percentiles`: a map of key → `{avg, max, sum}`; only `avg` is kept. A repeated key is a
    /// Gson syntax error ("duplicate key").
    private mutating func readPercentiles(_ scanner: inout JSONScanner, path: String) throws(WireError) -> [(key: String, avg: BluefloodAggregatedBundle.Stat)] {
        var result: [(key: String, avg: BluefloodAggregatedBundle.Stat)] = []
        if try scanner.readNull() { return result }
        try scanner.readObjectStart()
        var seen = Set<String>()
        var first = true
        var count = 0
        while try scanner.readNextObjectMember(isFirst: &first) {
            let rawKey = try scanner.readKey()
            let keyBytes = rawKey.count
            let key = String(decoding: rawKey[0..<min(keyBytes, max(options.maxPercentileKeyBytes, 0))], as: UTF8.self)
            let avg = try readPercentile(&scanner, path: path)
            count += 1
            guard seen.insert(key).inserted || keyBytes > options.maxPercentileKeyBytes else {
                throw WireError(.typeMismatch, "duplicate key: \(key)", offset: scanner.position)
            }
            if keyBytes > options.maxPercentileKeyBytes {
                bundle.problems.append(.init(
                    metricName: "", source: path,
                    message: BluefloodIntakeOptions.overLimit("percentile key", bytes: keyBytes, limit: options.maxPercentileKeyBytes)))
            } else if count == options.maxPercentiles + 1 {
                bundle.problems.append(.init(
                    metricName: "", source: path,
                    message: "percentiles has more than \(options.maxPercentiles) entries, over the limit of \(options.maxPercentiles)"))
            } else if count <= options.maxPercentiles {
                result.append((key, avg))
            }
        }
        return result
    }

    /// One `Percentile` object: `avg`, `max`, `sum` must be numbers; unknown members are ignored.
    private mutating func readPercentile(_ scanner: inout JSONScanner, path: String) throws(WireError) -> BluefloodAggregatedBundle.Stat {
        var avg = BluefloodAggregatedBundle.Stat.missing
        if try scanner.readNull() { return avg }
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "avg") {
                avg = try readStat(&scanner)
            } else if ByteText.equals(key, "max") || ByteText.equals(key, "sum") {
                _ = try readStat(&scanner)
            } else {
                try skipUnknown(&scanner, source: path, metricName: "")
            }
        }
        return avg
    }

    /// `values`: a `String[]`; scalars are coerced to text, `null` elements are skipped.
    private mutating func readSetValues(_ scanner: inout JSONScanner, path: String) throws(WireError) -> [String]? {
        if try scanner.readNull() { return nil }
        try scanner.readArrayStart()
        var values: [String] = []
        var first = true
        var index = 0
        var overCount = false
        while try scanner.readNextArrayElement(isFirst: &first) {
            defer { index += 1 }
            guard let text = try BluefloodJSON.readScalarText(&scanner) else { continue }
            if text.count > options.maxSetValueBytes {
                bundle.problems.append(.init(
                    metricName: "", source: "\(path)[\(index)]",
                    message: BluefloodIntakeOptions.overLimit("set value", bytes: text.count, limit: options.maxSetValueBytes)))
            } else if values.count >= options.maxSetValues {
                overCount = true
            } else {
                values.append(String(decoding: text, as: UTF8.self))
            }
        }
        if overCount {
            bundle.problems.append(.init(
                metricName: "", source: path,
                message: "values has \(index) strings, over the limit of \(options.maxSetValues)"))
        }
        return values
    }
}

extension BluefloodAggregatedBundle.Timer {
    /// The index in ``stats`` of a statistic member, or nil.
    static func statIndex(_ key: UnsafeRawBufferPointer) -> Int? {
        switch key.count {
        case 3:
            if ByteText.equals(key, "min") { return 2 }
            if ByteText.equals(key, "max") { return 3 }
            if ByteText.equals(key, "sum") { return 4 }
            if ByteText.equals(key, "avg") { return 5 }
            if ByteText.equals(key, "std") { return 7 }
        case 4:
            if ByteText.equals(key, "rate") { return 1 }
        case 5:
            if ByteText.equals(key, "count") { return 0 }
        case 6:
            if ByteText.equals(key, "median") { return 6 }
        default:
            break
        }
        return nil
    }
}
