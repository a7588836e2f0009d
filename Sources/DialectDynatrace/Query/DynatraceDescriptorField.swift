/// The descriptor fields `fields=` can name, in the order they are written.
public enum DynatraceDescriptorField: String, Sendable, CaseIterable {
    case displayName, description, unit, tags, entityType, aggregationTypes, defaultAggregation, dimensionDefinitions,
        transformations, metricValueType, resolutionInfSupported

    /// Dynatrace's default: `displayName,description,unit`.
    public static let defaults: [DynatraceDescriptorField] = [.displayName, .description, .unit]

    /// Parses `fields`: a plain list replaces the defaults, `+x` adds, `-x` removes; `metricId` is
    /// always written and may be named.
    /// - Throws: ``DynatraceParameterError`` for an unknown field.
    public static func parse(_ text: String?) throws(DynatraceParameterError) -> [DynatraceDescriptorField] {
        guard let text, !text.isEmpty else { return defaults }
        var chosen = Set(defaults)
        var replaced = false
        for raw in text.split(separator: ",") {
            // `+` arrives as a space when the client did not percent-encode it.
            var name = String(raw)
            var mode: Character = "="
            if let first = name.first, first == "+" || first == "-" || first == " " {
                mode = first == "-" ? "-" : "+"
                name = String(name.dropFirst())
            }
            name = name.trimmingSpaces()
            if name == "metricId" { if mode == "=" && !replaced { chosen = []; replaced = true }; continue }
            guard let field = DynatraceDescriptorField(rawValue: name) else {
                throw DynatraceParameterError(parameter: "fields", message: "Unknown field '\(name)'")
            }
            switch mode {
            case "-": chosen.remove(field)
            case "+": chosen.insert(field)
            default:
                if !replaced { chosen = []; replaced = true }
                chosen.insert(field)
            }
        }
        return allCases.filter(chosen.contains)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
