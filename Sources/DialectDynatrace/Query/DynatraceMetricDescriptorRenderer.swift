import BasinWire
import NIOCore

/// Renders descriptors as Dynatrace writes them: `MetricDescriptorCollection` and
/// `MetricDescriptor`, compact JSON, `metricId` first, then the chosen fields in a fixed order.
public enum DynatraceMetricDescriptorRenderer {
    /// `{"totalCount":…,"nextPageKey":…,"metrics":[…]}`.
    public static func renderCollection(
        _ page: [DynatraceMetricDescriptor], totalCount: Int, nextPageKey: String?, fields: [DynatraceDescriptorField]
    ) -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        w.raw("{\"totalCount\":")
        w.integer(totalCount)
        w.raw(",\"nextPageKey\":")
        if let nextPageKey { w.string(nextPageKey) } else { w.null() }
        w.raw(",\"metrics\":[")
        var comma = false
        for descriptor in page {
            w.comma(&comma)
            render(&w, descriptor, fields: fields)
        }
        w.raw("]}")
        return w.buffer
    }

    /// One descriptor with every field.
    public static func renderDescriptor(_ descriptor: DynatraceMetricDescriptor) -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        render(&w, descriptor, fields: DynatraceDescriptorField.allCases)
        return w.buffer
    }

    static func render(_ w: inout JSONWriter, _ d: DynatraceMetricDescriptor, fields: [DynatraceDescriptorField]) {
        w.raw("{\"metricId\":")
        w.string(d.metricId)
        for field in fields {
            w.raw(",")
            w.key(field.rawValue)
            switch field {
            case .displayName: w.string(d.displayName)
            case .description: w.string(d.description)
            case .unit: w.string(d.unit)
            case .tags, .entityType: w.raw("[]")
            case .aggregationTypes: strings(&w, d.aggregationTypes)
            case .defaultAggregation:
                w.raw("{\"type\":")
                w.string(d.defaultAggregation)
                w.raw("}")
            case .dimensionDefinitions:
                w.raw("[")
                var comma = false
                for key in d.dimensionKeys ?? [] {
                    w.comma(&comma)
                    w.raw("{\"key\":")
                    w.string(key)
                    w.raw(",\"name\":")
                    w.string(key)
                    w.raw(",\"displayName\":")
                    w.string(key)
                    w.raw(",\"index\":null,\"type\":\"STRING\"}")
                }
                w.raw("]")
            case .transformations: strings(&w, DynatraceMetricDescriptor.transformations)
            case .metricValueType: w.raw("{\"type\":\"unknown\"}")
            case .resolutionInfSupported: w.bool(true)
            }
        }
        w.raw("}")
    }

    static func strings(_ w: inout JSONWriter, _ values: [String]) {
        w.raw("[")
        var comma = false
        for value in values {
            w.comma(&comma)
            w.string(value)
        }
        w.raw("]")
    }
}
