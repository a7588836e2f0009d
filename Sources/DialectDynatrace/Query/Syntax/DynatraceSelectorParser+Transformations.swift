extension DynatraceSelectorParser {
    /// One transformation; `index` is just after its `:`.
    mutating func parseTransformation() throws(DynatraceSelectorError) -> DynatraceTransformation {
        let start = index
        let name = readIdentifier()
        guard !name.isEmpty else { throw DynatraceSelectorError("expected a transformation after ':'", at: start) }
        if Self.unsupportedTransformations.contains(name) {
            throw DynatraceSelectorError("transformation :\(name) is not supported", at: start)
        }
        switch name {
        case "filter":
            try expect("(", "after :filter")
            var conditions = [try parseCondition()]
            while consume(",") { conditions.append(try parseCondition()) }
            try expect(")", "to close :filter")
            return .filter(conditions.count == 1 ? conditions[0] : .and(conditions))
        case "splitBy":
            try expect("(", "after :splitBy")
            var dimensions: [String] = []
            if !consume(")") {
                repeat { dimensions.append(try parseStringArgument()) } while consume(",")
                try expect(")", "to close :splitBy")
            }
            return .splitBy(dimensions)
        case "sort":
            try expect("(", "after :sort")
            var keys = [try parseSortKey()]
            while consume(",") { keys.append(try parseSortKey()) }
            try expect(")", "to close :sort")
            return .sort(keys)
        case "percentile":
            return .aggregation(try parseAggregation(name, at: start))
        default:
            if let transformation = try parseOtherTransformation(name) { return transformation }
            guard Self.transformationNames.contains(name) else {
                throw DynatraceSelectorError("unknown transformation :\(name)", at: start)
            }
            return .aggregation(try parseAggregation(name, at: start))
        }
    }

    /// The transformations with a simple argument (or none); nil for any other name.
    mutating func parseOtherTransformation(_ name: String) throws(DynatraceSelectorError) -> DynatraceTransformation? {
        switch name {
        case "fold", "last":
            var aggregation: DynatraceAggregation?
            if consume("(") {
                if !consume(")") {
                    let at = index
                    skipSpaces()
                    aggregation = try parseAggregation(readIdentifier(), at: at)
                    try expect(")", "to close :\(name)")
                }
            }
            return name == "fold" ? .fold(aggregation) : .last(aggregation)
        case "limit":
            try expect("(", "after :limit")
            let at = index
            let value = try parseNumber()
            guard value >= 1, value <= 100_000, value.rounded() == value else {
                throw DynatraceSelectorError(":limit needs a whole number from 1 to 100000", at: at)
            }
            try expect(")", "to close :limit")
            return .limit(Int(value))
        case "names":
            return .names
        case "rate":
            var millis: Int64 = 60_000
            if consume("(") {
                skipSpaces()
                let at = index
                let value = try parseNumber()
                let unit = readIdentifier()
                guard let unitMillis = Self.durationUnitMillis[unit], value > 0 else {
                    throw DynatraceSelectorError(":rate needs a duration such as 1m (units s m h d w M y)", at: at)
                }
                // Bounded before converting: a huge count of units does not fit in Int64.
                let product = value * Double(unitMillis)
                guard product >= 1, product <= Self.maxRateMillis else {
                    throw DynatraceSelectorError(":rate needs a duration from 1 ms to 100 years", at: at)
                }
                millis = Int64(product)
                try expect(")", "to close :rate")
            }
            return .rate(millis)
        case "delta":
            return .delta
        case "smooth":
            try expect("(", "after :smooth")
            skipSpaces()
            let at = index
            guard readIdentifier() == "skipfirst" else {
                throw DynatraceSelectorError(":smooth supports only skipfirst", at: at)
            }
            try expect(")", "to close :smooth")
            return .smoothSkipFirst
        case "default":
            try expect("(", "after :default")
            let value = try parseNumber()
            var always = false
            if consume(",") {
                skipSpaces()
                let at = index
                guard readIdentifier() == "always" else { throw DynatraceSelectorError("expected 'always'", at: at) }
                always = true
            }
            try expect(")", "to close :default")
            return .defaultValue(value, always: always)
        default:
            return nil
        }
    }

    /// An aggregation name (its `percentile(n)` argument read here).
    mutating func parseAggregation(_ name: String, at position: Int) throws(DynatraceSelectorError) -> DynatraceAggregation {
        switch name {
        case "auto": return .auto
        case "avg": return .avg
        case "sum": return .sum
        case "min": return .min
        case "max": return .max
        case "count": return .count
        case "value": return .value
        case "median": return .median
        case "percentile":
            try expect("(", "after percentile")
            let at = index
            let n = try parseNumber()
            guard n >= 0, n <= 100 else { throw DynatraceSelectorError("percentile needs a number from 0 to 100", at: at) }
            try expect(")", "to close percentile")
            return .percentile(n)
        default:
            throw DynatraceSelectorError(name.isEmpty ? "expected an aggregation" : "unknown aggregation \(name)", at: position)
        }
    }

    /// `value(<agg>,<dir>)` or `dimension("<dim>",<dir>[,lexical|natural])`.
    mutating func parseSortKey() throws(DynatraceSelectorError) -> DynatraceSortKey {
        skipSpaces()
        let at = index
        switch readIdentifier() {
        case "value":
            try expect("(", "after value")
            skipSpaces()
            let aggregationAt = index
            let aggregation = try parseAggregation(readIdentifier(), at: aggregationAt)
            try expect(",", "before the sort direction")
            let descending = try parseDirection()
            try expect(")", "to close value")
            return .value(aggregation, descending: descending)
        case "dimension":
            try expect("(", "after dimension")
            let dimension = try parseStringArgument()
            try expect(",", "before the sort direction")
            let descending = try parseDirection()
            if consume(",") {
                skipSpaces()
                let typeAt = index
                guard readIdentifier() == "lexical" else {
                    throw DynatraceSelectorError("only lexical dimension sorting is supported", at: typeAt)
                }
            }
            try expect(")", "to close dimension")
            return .dimension(dimension, descending: descending)
        default:
            throw DynatraceSelectorError("expected value(…) or dimension(…) in :sort", at: at)
        }
    }

    mutating func parseDirection() throws(DynatraceSelectorError) -> Bool {
        skipSpaces()
        let at = index
        switch readIdentifier() {
        case "ascending": return false
        case "descending": return true
        default: throw DynatraceSelectorError("expected ascending or descending", at: at)
        }
    }

    /// A `:filter` condition.
    mutating func parseCondition() throws(DynatraceSelectorError) -> DynatraceFilterCondition {
        skipSpaces()
        let at = index
        let name = readIdentifier()
        switch name {
        case "eq", "ne", "prefix", "suffix", "contains":
            try expect("(", "after \(name)")
            let key = try parseStringArgument()
            try expect(",", "after the dimension key")
            let value = try parseStringArgument()
            try expect(")", "to close \(name)")
            switch name {
            case "eq": return .eq(key, value)
            case "ne": return .ne(key, value)
            case "prefix": return .prefix(key, value)
            case "suffix": return .suffix(key, value)
            default: return .contains(key, value)
            }
        case "in":
            try expect("(", "after in")
            let key = try parseStringArgument()
            var values: [String] = []
            while consume(",") {
                skipSpaces()
                if text[index...].starts(with: "entitySelector") {
                    throw DynatraceSelectorError("in(…, entitySelector(…)) is not supported (no entities in Basin)", at: index)
                }
                values.append(try parseStringArgument())
            }
            try expect(")", "to close in")
            return .in(key, values)
        case "existsKey":
            try expect("(", "after existsKey")
            let key = try parseStringArgument()
            try expect(")", "to close existsKey")
            return .existsKey(key)
        case "and", "or":
            try expect("(", "after \(name)")
            var conditions = [try parseCondition()]
            while consume(",") { conditions.append(try parseCondition()) }
            try expect(")", "to close \(name)")
            return name == "and" ? .and(conditions) : .or(conditions)
        case "not":
            try expect("(", "after not")
            let condition = try parseCondition()
            try expect(")", "to close not")
            return .not(condition)
        case "series", "remainder":
            throw DynatraceSelectorError("filter condition \(name) is not supported", at: at)
        default:
            throw DynatraceSelectorError(name.isEmpty ? "expected a filter condition" : "unknown filter condition \(name)", at: at)
        }
    }

    /// The longest `:rate` duration accepted: 100 years of 365 days, in milliseconds.
    static let maxRateMillis = 100 * 31_536_000_000.0

    /// Milliseconds per duration unit (`M` a 30-day month, `y` 365 days).
    static let durationUnitMillis: [String: Int64] = [
        "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000,
        "M": 2_592_000_000, "q": 7_776_000_000, "y": 31_536_000_000,
    ]
}
