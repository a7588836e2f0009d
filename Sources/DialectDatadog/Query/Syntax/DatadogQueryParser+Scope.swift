extension DatadogQueryParser {
    /// Parses the inside of `{…}` up to and including `}`.
    ///
    /// `*` is no filter; otherwise either the comma form (`a:b, !c:d`, comma = AND) or the
    /// boolean form (`a:b AND (c:d OR NOT e IN (f, g))`); mixing the two is an error, as in Datadog.
    mutating func parseScope() throws(DatadogQueryError) -> DatadogScope {
        skipSpace()
        let start = index
        if peek == UInt8(ascii: "*") {
            index += 1
            skipSpace()
            if peek == UInt8(ascii: "}") { index += 1; return .all }
            index = start
        }
        if peek == UInt8(ascii: "}") { index += 1; return .all }
        let filter = try parseOr()
        skipSpace()
        if peek == UInt8(ascii: "}") {
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            index += 1
            return .filter(filter, items: Self.items(filter, text: text))
        }
        guard peek == UInt8(ascii: ",") else { throw unexpected() }
        // Comma form: every item so far and after must be a plain (possibly negated) tag.
        var filters = [filter]
        while peek == UInt8(ascii: ",") {
            index += 1
            skipSpace()
            filters.append(try parseOr())
            skipSpace()
        }
        try expect("}")
        for f in filters where !Self.isPlain(f) {
            throw DatadogQueryError("'AND' and 'OR' cannot be mixed with ','", position: start)
        }
        return .filter(.and(filters), items: filters.map(Self.render))
    }

    /// The `scope` items of a filter: the plain tags of a pure conjunction, else the whole text.
    static func items(_ filter: DatadogTagFilter, text: String) -> [String] {
        if isPlain(filter) { return [render(filter)] }
        if case .and(let parts) = filter, parts.allSatisfy(isPlain) { return parts.map(render) }
        return [text.trimmingTrailingSpace()]
    }

    /// A tag or a negated tag.
    static func isPlain(_ filter: DatadogTagFilter) -> Bool {
        switch filter {
        case .tag: true
        case .not(.tag): true
        default: false
        }
    }

    static func render(_ filter: DatadogTagFilter) -> String {
        switch filter {
        case .tag(let key, let pattern): pattern.map { "\(key):\($0)" } ?? key
        case .not(let inner): "!" + render(inner)
        case .oneOf(let key, let values): "\(key) IN (\(values.joined(separator: ",")))"
        case .and(let parts): parts.map(render).joined(separator: " AND ")
        case .or(let parts): "(" + parts.map(render).joined(separator: " OR ") + ")"
        }
    }

    mutating func parseOr() throws(DatadogQueryError) -> DatadogTagFilter {
        try enter()
        defer { depth -= 1 }
        var parts = [try parseAnd()]
        while true {
            skipSpace()
            guard lookingAtKeyword("OR") else { break }
            index += 2
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd() throws(DatadogQueryError) -> DatadogTagFilter {
        var parts = [try parseNot()]
        while true {
            skipSpace()
            guard lookingAtKeyword("AND") else { break }
            index += 3
            parts.append(try parseNot())
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func parseNot() throws(DatadogQueryError) -> DatadogTagFilter {
        skipSpace()
        if lookingAtKeyword("NOT") {
            index += 3
            try enter()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        if peek == UInt8(ascii: "!") {
            index += 1
            try enter()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        if peek == UInt8(ascii: "(") {
            index += 1
            let inner = try parseOr()
            try expect(")")
            return inner
        }
        let start = index
        while let b = peek, Self.isTagByte(b) { index += 1 }
        guard index > start else { throw unexpected() }
        let tag = String(decoding: bytes[start..<index], as: UTF8.self)
        let save = index
        skipSpace()
        if lookingAtKeyword("IN") {
            index += 2
            return .oneOf(key: tag, values: try parseValueList())
        }
        if lookingAtKeyword("NOT") {
            let afterNot = index
            index += 3
            skipSpace()
            if lookingAtKeyword("IN") {
                index += 2
                return .not(.oneOf(key: tag, values: try parseValueList()))
            }
            index = afterNot
        }
        index = save
        guard let colon = tag.firstIndex(of: ":") else { return .tag(key: tag, pattern: nil) }
        let key = String(tag[..<colon])
        guard !key.isEmpty else { throw DatadogQueryError("tag filter without a key", position: start) }
        return .tag(key: key, pattern: String(tag[tag.index(after: colon)...]))
    }

    mutating func parseValueList() throws(DatadogQueryError) -> [String] {
        try expect("(")
        var values: [String] = []
        while true {
            skipSpace()
            let start = index
            while let b = peek, Self.isTagByte(b) { index += 1 }
            guard index > start else { throw unexpected() }
            values.append(String(decoding: bytes[start..<index], as: UTF8.self))
            skipSpace()
            if peek == UInt8(ascii: ")") { index += 1; return values }
            try expect(",")
        }
    }

    /// Whether the next bytes are `word` in upper or lower case, as a whole word.
    func lookingAtKeyword(_ word: String) -> Bool {
        lookingAtWord(word) || lookingAtWord(word.lowercased())
    }
}

extension String {
    func trimmingTrailingSpace() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " { s.removeLast() }
        return String(s)
    }
}
