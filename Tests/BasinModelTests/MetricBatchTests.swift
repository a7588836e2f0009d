import BasinModel
import Testing

@Suite("MetricBatch")
struct MetricBatchTests {
    @Test("Samples point at the series they were appended for")
    func slots() {
        var batch = MetricBatch()
        let a = batch.beginSeries(Labels(metricName: "a"), kind: .gauge)
        let b = batch.beginSeries(Labels(metricName: "b"), kind: .count)
        batch.append(seriesSlot: a, timestampMillis: 1000, value: 1)
        batch.append(seriesSlot: b, timestampMillis: 2000, value: 2)
        batch.append(seriesSlot: a, timestampMillis: 3000, value: 3)
        #expect(batch.sampleCount == 3)
        #expect(batch.seriesSlots == [0, 1, 0])
        #expect(batch.kinds == [.gauge, .count])
        #expect(batch.values == [1, 2, 3])
    }

    @Test("Truncating drops a half-decoded series and keeps the rest")
    func truncate() {
        var batch = MetricBatch()
        batch.append(Labels(metricName: "ok"), kind: .gauge, timestampMillis: 1, value: 1)
        let series = batch.seriesCount, samples = batch.sampleCount
        let slot = batch.beginSeries(Labels(metricName: "bad"), kind: .gauge)
        batch.append(seriesSlot: slot, timestampMillis: 2, value: 2)
        batch.truncate(seriesCount: series, sampleCount: samples)
        #expect(batch.series == [Labels(metricName: "ok")])
        #expect(batch.values == [1])
        batch.removeAll()
        #expect(batch.isEmpty)
    }

    @Test("Series registered from labels, a builder or encoded bytes share one label buffer")
    func labelBuffer() {
        var batch = MetricBatch()
        let a = Labels(metricName: "a", [(name: "host", value: "x")])
        var builder = LabelsBuilder()
        builder.add(name: "zone", value: "z")
        builder.add(name: Labels.metricNameKey, value: "b")
        let c = Labels(metricName: "c")
        _ = batch.beginSeries(a, kind: .gauge)
        _ = batch.beginSeries(builder, kind: .count)
        c.bytes.withUnsafeBytes { _ = batch.beginSeries(encodedLabels: $0, kind: .gauge) }
        _ = batch.beginSeries(.empty, kind: .gauge)
        #expect(batch.seriesCount == 4)
        #expect(batch.series == [a, builder.build(), c, .empty])
        #expect(batch.labelBytes.array == a.bytes + builder.build().bytes + c.bytes)
        #expect(batch.labelRange(at: 2) == (a.bytes.count + builder.build().bytes.count)..<batch.labelBytes.count)
        #expect((0..<4).map { batch.metricName(at: $0) } == ["a", "b", "c", nil])
        batch.truncate(seriesCount: 1, sampleCount: 0)
        #expect(batch.labelBytes.array == a.bytes)
        #expect(batch.series == [a])
        batch.truncate(seriesCount: 0, sampleCount: 0)
        #expect(batch.labelBytes.isEmpty && batch.seriesCount == 0)
    }
}
