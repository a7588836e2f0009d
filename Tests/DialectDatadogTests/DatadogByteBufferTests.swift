import BasinModel
import BasinWire
import DialectDatadog
import NIOCore
import Testing

@Suite("Datadog decoders over ByteBuffer")
struct DatadogByteBufferTests {
    @Test("reads only the readable bytes of a buffer")
    func readableBytesOnly() throws {
        var buffer = ByteBuffer(string: "garbage")
        buffer.moveReaderIndex(forwardBy: 7)
        buffer.writeString(#"{"series":[{"metric":"m","points":[[1700000000,2]]}]}"#)
        var batch = MetricBatch()
        let result = try DatadogSeriesV1Decoder(options: DatadogIntakeOptions(nowMillis: 0)).decode(buffer, into: &batch)
        #expect(result.accepted == 1)
        #expect(batch.values == [2])
    }

    @Test("passes errors through with their position")
    func errorsPassThrough() {
        let buffer = ByteBuffer(string: #"{"series":[{"metric":"m","points":[{"value":1}]}]}"#)
        var batch = MetricBatch()
        do throws(WireError) {
            _ = try DatadogSeriesV2Decoder(options: DatadogIntakeOptions(nowMillis: 0)).decode(buffer, into: &batch)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .missingField)
            #expect(error.offset == 35)
        }
    }
}
