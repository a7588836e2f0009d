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
        let series = batch.series.count, samples = batch.sampleCount
        let slot = batch.beginSeries(Labels(metricName: "bad"), kind: .gauge)
        batch.append(seriesSlot: slot, timestampMillis: 2, value: 2)
        batch.truncate(seriesCount: series, sampleCount: samples)
        #expect(batch.series == [Labels(metricName: "ok")])
        #expect(batch.values == [1])
        batch.removeAll()
        #expect(batch.isEmpty)
    }
}
