extension PromQLParser {
    mutating func parsePrimary() throws(PromQLError) -> PromQLExpr {
        let start = offset
        switch peek {
        case .number(let v):
            _ = advance()
            return PromQLExpr(.number(v), offset: start)
        case .duration(let ms):
            _ = advance()
            return PromQLExpr(.number(Double(ms) / 1000), offset: start)
        case .string(let s):
            _ = advance()
            return PromQLExpr(.string(s), offset: start)
        case .leftParen:
            _ = advance()
            let inner = try parseExpression(minPrecedence: 1)
            try expect(.rightParen, "in parenthesized expression, expected \")\"")
            return PromQLExpr(.parenthesized(inner), offset: start)
        case .leftBrace:
            return PromQLExpr(.vectorSelector(try parseSelectorBody(metricName: nil)), offset: start)
        case .identifier(let name):
            return try parseIdentifierExpression(name, start: start)
        default:
            throw unexpected()
        }
    }

    mutating func parseIdentifierExpression(_ name: String, start: Int) throws(PromQLError) -> PromQLExpr {
        _ = advance()
        let lower = name.lowercased()
        if lower == "inf" { return PromQLExpr(.number(.infinity), offset: start) }
        if lower == "nan" { return PromQLExpr(.number(.nan), offset: start) }
        if PromQLParser.aggregations.contains(lower) {
            if peek == .leftParen { return try parseAggregation(lower, start: start) }
            if case .identifier(let word) = peek, ["by", "without"].contains(word.lowercased()) {
                return try parseAggregation(lower, start: start)
            }
        }
        if peek == .leftParen {
            _ = advance()
            var arguments: [PromQLExpr] = []
            while peek != .rightParen {
                arguments.append(try parseExpression(minPrecedence: 1))
                if peek == .comma { _ = advance() } else { break }
            }
            try expect(.rightParen, "in call to function \"\(name)\"")
            return PromQLExpr(.call(name: name, arguments: arguments), offset: start)
        }
        if ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "atan2"]
            .contains(lower) {
            throw fail("unexpected keyword \"\(name)\"", at: start)
        }
        if peek == .leftBrace {
            return PromQLExpr(.vectorSelector(try parseSelectorBody(metricName: name)), offset: start)
        }
        return PromQLExpr(.vectorSelector(PromQLSelector(metricName: name)), offset: start)
    }

    /// `{ item, item, ... }` after an optional metric name.
    mutating func parseSelectorBody(metricName: String?) throws(PromQLError) -> PromQLSelector {
        var selector = PromQLSelector(metricName: metricName)
        try expect(.leftBrace, "in label matching")
        while peek != .rightBrace {
            let itemOffset = offset
            let name: String
            var quoted = false
            switch peek {
            case .identifier(let n): name = n
            case .string(let s):
                name = s
                quoted = true
            default: throw unexpected("in label matching, expected label name or metric name")
            }
            _ = advance()
            if quoted, peek == .comma || peek == .rightBrace {
                // A lone quoted string is the metric name (UTF-8 names such as "system.cpu.user").
                if let existing = selector.metricName {
                    throw fail("metric name must not be set twice: \"\(existing)\" or \"\(name)\"", at: itemOffset)
                }
                selector.metricName = name
            } else {
                guard case .symbol(let op) = peek, ["=", "!=", "=~", "!~"].contains(op) else {
                    throw unexpected("in label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\"")
                }
                _ = advance()
                guard case .string(let value) = peek else { throw unexpected("in label matching, expected string") }
                _ = advance()
                selector.matchers.append(PromQLMatcher(name: name, op: op, value: value, offset: itemOffset))
            }
            if peek == .comma { _ = advance() } else { break }
        }
        try expect(.rightBrace, "in label matching, expected \",\" or \"}\"")
        return selector
    }

    /// `( label, "label", ... )`, a trailing comma allowed.
    mutating func parseLabelList(_ context: String) throws(PromQLError) -> [String] {
        try expect(.leftParen, context)
        var labels: [String] = []
        while peek != .rightParen {
            switch peek {
            case .identifier(let n), .string(let n): labels.append(n)
            default: throw unexpected("\(context), expected label")
            }
            _ = advance()
            if peek == .comma { _ = advance() } else { break }
        }
        try expect(.rightParen, "\(context), expected \")\"")
        return labels
    }

    mutating func parseGrouping() throws(PromQLError) -> PromQLGrouping? {
        guard case .identifier(let word) = peek, ["by", "without"].contains(word.lowercased()) else { return nil }
        _ = advance()
        let without = word.lowercased() == "without"
        return PromQLGrouping(without: without, labels: try parseLabelList("in grouping opts"))
    }

    mutating func parseAggregation(_ op: String, start: Int) throws(PromQLError) -> PromQLExpr {
        var grouping = try parseGrouping()
        try expect(.leftParen, "in aggregation")
        var arguments: [PromQLExpr] = []
        while peek != .rightParen {
            arguments.append(try parseExpression(minPrecedence: 1))
            if peek == .comma { _ = advance() } else { break }
        }
        try expect(.rightParen, "in aggregation")
        if let postfix = try parseGrouping() {
            guard grouping == nil else { throw fail("aggregation must only contain one grouping clause", at: start) }
            grouping = postfix
        }
        let takesParameter = ["topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"].contains(op)
        let expected = takesParameter ? 2 : 1
        guard arguments.count == expected else {
            throw fail("wrong number of arguments for aggregate expression provided, expected \(expected), got \(arguments.count)", at: start)
        }
        return PromQLExpr(
            .aggregate(op: op, grouping: grouping, parameter: takesParameter ? arguments[0] : nil, input: arguments[expected - 1]),
            offset: start)
    }
}
