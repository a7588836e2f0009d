import BasinModel
import BasinWire

extension DatadogSeriesState {
    // MARK: Points

    mutating func decodePoints(_ scanner: inout JSONScanner) throws(WireError) {
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext("points")
        }
        hasPoints = true
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            do throws(WireError) {
                try decodePoint(&scanner)
            } catch {
                throw error.withContext("points[\(index)]")
            }
            index += 1
        }
    }

    mutating func decodePoint(_ scanner: inout JSONScanner) throws(WireError) {
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readArrayStart()
        var first = true
        guard try scanner.readNextArrayElement(isFirst: &first) else {
            throw WireError(.typeMismatch, "a point must be [timestamp, value], found []", offset: start)
        }
        let timestamp = try scanner.readDecimal()
        guard try scanner.readNextArrayElement(isFirst: &first) else {
            throw WireError(.typeMismatch, "a point must be [timestamp, value], found one element", offset: start)
        }
        let value = try scanner.readDoubleOrNull()
        if try scanner.readNextArrayElement(isFirst: &first) {
            throw WireError(.typeMismatch, "a point must be [timestamp, value], found more than two elements", offset: start)
        }
        guard let millis = timestamp.scaledInt64(byPowerOfTen: 3) else {
            throw WireError(.invalidNumber, "timestamp out of range", offset: start)
        }
        appendPoint(timestampMillis: millis, value: value)
    }
}

extension DatadogSeriesState {
    // MARK: v2 JSON

    /// v2 points: `[{"timestamp": seconds, "value": number}, …]`.
    mutating func decodePointsV2(_ scanner: inout JSONScanner) throws(WireError) {
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext("points")
        }
        hasPoints = true
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            do throws(WireError) {
                try decodePointV2(&scanner)
            } catch {
                throw error.withContext("points[\(index)]")
            }
            index += 1
        }
    }

    private mutating func decodePointV2(_ scanner: inout JSONScanner) throws(WireError) {
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readObjectStart()
        var timestamp: ParsedDecimal?
        var value: Double?
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "timestamp") {
                timestamp = try scanner.readDecimal()
            } else if ByteText.equals(key, "value") {
                value = try scanner.readDoubleOrNull()
            } else {
                try scanner.skipValue()
            }
        }
        guard let timestamp else {
            throw WireError(.missingField, "missing required field \"timestamp\" in the point starting", offset: start)
        }
        guard let millis = timestamp.scaledInt64(byPowerOfTen: 3) else {
            throw WireError(.invalidNumber, "timestamp out of range", offset: start)
        }
        appendPoint(timestampMillis: millis, value: value)
    }

    /// v2 `type`: 0 unspecified, 1 count, 2 rate, 3 gauge (API reference `MetricIntakeType`);
    /// other integers are tolerated as unspecified.
    mutating func decodeTypeV2(_ scanner: inout JSONScanner) throws(WireError) {
        if try scanner.readNull() {
            kind = .unspecified
            return
        }
        let decimal: ParsedDecimal
        do throws(WireError) {
            decimal = try scanner.readDecimal()
        } catch {
            throw error.withContext("type")
        }
        switch decimal.hasFractionOrExponent ? nil : decimal.scaledInt64(byPowerOfTen: 0) {
        case 1: kind = .count
        case 2: kind = .rate
        case 3: kind = .gauge
        default: kind = .unspecified
        }
    }

    /// v2 `resources`: `[{"type": "host", "name": …}, …]`; the first `host` and `device` entries
    /// become those labels, other resource types are ignored.
    mutating func decodeResources(_ scanner: inout JSONScanner) throws(WireError) {
        if try scanner.readNull() { return }
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext("resources")
        }
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            do throws(WireError) {
                try decodeResource(&scanner)
            } catch {
                throw error.withContext("resources[\(index)]")
            }
            index += 1
        }
    }

    private mutating func decodeResource(_ scanner: inout JSONScanner) throws(WireError) {
        try scanner.readObjectStart()
        var field: ValueField?
        var name: [UInt8]?
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "type") {
                let type = try scanner.readStringOrNull()
                if let type, ByteText.equals(type, "host") {
                    field = .host
                } else if let type, ByteText.equals(type, "device") {
                    field = .device
                } else {
                    field = nil
                }
            } else if ByteText.equals(key, "name") {
                name = try scanner.readStringOrNull().map { Array($0) }
            } else {
                try scanner.skipValue()
            }
        }
        guard let field, let name, !name.isEmpty else { return }
        switch field {
        case .host where !hasHost: setValue(.host, name)
        case .device where !hasDevice: setValue(.device, name)
        default: break
        }
    }
}

extension DatadogSeriesState {
    /// Keeps one point, or counts it as dropped (`null` or non-finite value, outside the window).
    /// A timestamp ≤ 0 means "now" (the Lambda extension sends zeros).
    mutating func appendPoint(timestampMillis: Int64, value: Double?) {
        guard let value, value.isFinite else {
            result.dropped += 1
            return
        }
        var millis = timestampMillis
        if millis <= 0 { millis = options.nowMillis }
        if let maxPast = options.maxPastMillis, millis < options.nowMillis - maxPast {
            result.dropped += 1
            return
        }
        if let maxFuture = options.maxFutureMillis, millis > options.nowMillis + maxFuture {
            result.dropped += 1
            return
        }
        timestampsMillis.append(millis)
        values.append(value)
    }
}
