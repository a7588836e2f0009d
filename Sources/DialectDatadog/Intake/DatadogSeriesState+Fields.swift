import BasinModel
import BasinWire

extension DatadogSeriesState {
    // MARK: Fields

    mutating func decodeName(_ scanner: inout JSONScanner) throws(WireError) {
        let token = scanner.peekToken()
        guard token == .string else { throw scanner.mismatch(expected: "a string", found: token).withContext("metric") }
        let offset = scanner.position
        try setName(try scanner.readString(), offset: offset)
    }

    /// Stores the metric name (Datadog's rewriting applied), or rejects the series when it is
    /// over the length limit; shared by the JSON and protobuf decoders.
    ///
    /// - Throws: when the name is empty (the whole request is refused, as a missing `metric` is).
    mutating func setName(_ raw: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        guard raw.count > 0 else { throw WireError(.missingField, "metric: the metric name is empty", offset: offset) }
        name.removeAll(keepingCapacity: true)
        hasName = true
        if raw.count > options.limits.maxMetricNameBytes {
            reject("metric name of \(raw.count) bytes exceeds the limit of \(options.limits.maxMetricNameBytes) bytes (maxMetricNameBytes)")
            name.append(contentsOf: raw.prefix(64))
            return
        }
        DatadogNaming.appendMetricName(raw, to: &name)
    }

    /// The optional string members that become labels.
    enum ValueField: String {
        case host, device
    }

    mutating func decodeOptionalValue(_ scanner: inout JSONScanner, field: ValueField) throws(WireError) {
        let token = scanner.peekToken()
        guard token == .string || token == .null else {
            throw scanner.mismatch(expected: "a string or null", found: token).withContext(field.rawValue)
        }
        guard let raw = try scanner.readStringOrNull(), raw.count > 0 else {
            switch field {
            case .host: hasHost = false
            case .device: hasDevice = false
            }
            return
        }
        setValue(field, raw)
    }

    /// Stores a `host` or `device` value, or rejects the series when it is over the value limit.
    mutating func setValue(_ field: ValueField, _ raw: some Collection<UInt8>) {
        if raw.count > options.limits.maxLabelValueBytes {
            reject("\(field.rawValue) of \(raw.count) bytes exceeds the limit of \(options.limits.maxLabelValueBytes) bytes per label value (maxLabelValueBytes)")
            return
        }
        switch field {
        case .host:
            host.removeAll(keepingCapacity: true)
            host.append(contentsOf: raw)
            hasHost = true
        case .device:
            device.removeAll(keepingCapacity: true)
            device.append(contentsOf: raw)
            hasDevice = true
        }
    }

    mutating func decodeType(_ scanner: inout JSONScanner) throws(WireError) {
        let token = scanner.peekToken()
        guard token == .string || token == .null else {
            throw scanner.mismatch(expected: "a string or null", found: token).withContext("type")
        }
        guard let raw = try scanner.readStringOrNull() else {
            kind = .unspecified
            return
        }
        if ByteText.equals(raw, "gauge") {
            kind = .gauge
        } else if ByteText.equals(raw, "count") {
            kind = .count
        } else if ByteText.equals(raw, "rate") {
            kind = .rate
        } else {
            kind = .unspecified   // "", "counter", "histogram", …: tolerated (spec §3.1)
        }
    }

    mutating func decodeInterval(_ scanner: inout JSONScanner) throws(WireError) {
        if try scanner.readNull() {
            intervalSeconds = 0
            return
        }
        let decimal: ParsedDecimal
        do throws(WireError) {
            decimal = try scanner.readDecimal()
        } catch {
            throw error.withContext("interval")
        }
        intervalSeconds = max(0, decimal.scaledInt64(byPowerOfTen: 0) ?? 0)
    }

    /// v2 `unit`: a string, kept for the metric's metadata; anything else is ignored (it was
    /// never validated before units were recorded, so it must not start refusing requests).
    mutating func decodeUnit(_ scanner: inout JSONScanner) throws(WireError) {
        let token = scanner.peekToken()
        guard token == .string || token == .null else {
            try scanner.skipValue()
            return
        }
        setUnit(try scanner.readStringOrNull())
    }

    /// Stores a unit; values longer than a label value are ignored (metadata, not data).
    mutating func setUnit(_ raw: UnsafeRawBufferPointer?) {
        unit.removeAll(keepingCapacity: true)
        guard let raw, raw.count <= options.limits.maxLabelValueBytes else { return }
        unit.append(contentsOf: raw)
    }

    mutating func decodeTags(_ scanner: inout JSONScanner) throws(WireError) {
        if try scanner.readNull() { return }
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext("tags")
        }
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            let token = scanner.peekToken()
            guard token == .string else {
                throw scanner.mismatch(expected: "a string", found: token).withContext("tags[\(index)]")
            }
            let raw = try scanner.readString()
            index += 1
            if rejection == nil { addTag(raw) }
        }
    }

    mutating func addTag(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        let limits = options.limits
        // Stop collecting at the limit so a hostile tag list cannot grow the scratch buffers.
        if builder.count >= limits.maxLabelsPerSeries {
            rejectLabelCount()
            return
        }
        // One pass finds the first colon and whether any byte needs Datadog's rewriting.
        var colon = -1
        var keptAll: UInt8 = 1
        let kept = DatadogNaming.tagKept
        for i in 0..<raw.count {
            let b = raw[i]
            if colon < 0, b == UInt8(ascii: ":") { colon = i }
            keptAll &= kept[Int(b)]
        }
        let clean = keptAll != 0
        if colon == 0 { return }   // `:bar` has no key; a label needs a name
        let nameLength = colon < 0 ? raw.count : colon
        let valueStart = colon < 0 ? raw.count : colon + 1
        if nameLength > limits.maxLabelNameBytes {
            reject("tag key of \(nameLength) bytes exceeds the limit of \(limits.maxLabelNameBytes) bytes per label name (maxLabelNameBytes)")
            return
        }
        if raw.count - valueStart > limits.maxLabelValueBytes {
            reject("tag value of \(raw.count - valueStart) bytes exceeds the limit of \(limits.maxLabelValueBytes) bytes per label value (maxLabelValueBytes)")
            return
        }
        if clean {
            // Common case (datadogpy normalises tags itself): no copy before the builder.
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            builder.add(name: UnsafeBufferPointer(rebasing: bytes[..<nameLength]), value: UnsafeBufferPointer(rebasing: bytes[valueStart...]))
            return
        }
        tag.removeAll(keepingCapacity: true)
        DatadogNaming.appendTag(raw, to: &tag)
        builder.add(name: tag[..<nameLength], value: tag[valueStart...])
    }
}
