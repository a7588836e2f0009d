import BasinModel
import Testing

@testable import DialectSignalFx

/// Real signalfx-python 1.1.16 traffic (`Fixtures/`, captured by the shared fixture kit), decoded
/// and compared with the capture's own decoding by the client's generated descriptors.
@Suite struct SignalFxDatapointFixtureTests {
    typealias S = SignalFxTestSupport

    @Test("Every captured datapoint request decodes to the points the client sent", arguments: S.datapointFixtures)
    func fixtureDecodes(_ name: String) throws {
        let request = try S.fixture(name)
        let protobuf = (request["content_type"] as? String) == "application/x-protobuf"
        let batch = try S.decodeDatapoints(S.fixtureBodies(request).plain, protobuf: protobuf)
        let expected = S.expectedDatapoints(request)
        #expect(!expected.isEmpty)
        #expect(S.render(batch.metrics).sorted() == expected.sorted())
        #expect(batch.droppedCount == 0)
    }

    @Test("The pyformance capture keeps its cumulative counters and gauges")
    func pyformanceKinds() throws {
        let request = try S.fixture("014")
        let batch = try S.decodeDatapoints(S.fixtureBodies(request).plain, protobuf: true)
        let kinds = Set(batch.metrics.kinds)
        #expect(kinds == [.counter, .gauge])
    }
}
