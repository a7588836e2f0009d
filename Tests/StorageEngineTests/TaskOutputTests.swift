import Synchronization
@testable import StorageEngine
import Testing

/// Task outputs move their elements into the joined array exactly once, in run order, and
/// free what they hold when a task fails.
@Suite("Task outputs", .serialized)
struct TaskOutputTests {
    /// Counts live instances, so a leak or a double release shows.
    final class Tracked: Sendable {
        static let live = Atomic<Int>(0)
        let value: Int
        init(_ value: Int) {
            self.value = value
            Self.live.add(1, ordering: .relaxed)
        }
        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    struct Failure: Error {}

    @Test("Runs are concatenated in order; every element lives once")
    func concatenatesInOrder() async throws {
        let before = Tracked.live.load(ordering: .relaxed)
        do {
            let runs = [0..<700, 700..<701, 701..<701, 701..<2_000]
            let outputs = try await TaskOutput<Tracked>.gather(runs: runs) { run, output in
                // Odd values are filtered out, as readers drop empty series.
                for i in run where i % 2 == 0 { output.append(Tracked(i)) }
                output.tally = run.count
            }
            #expect(outputs.map(\.tally) == runs.map(\.count))
            let joined = TaskOutput.concatenate(outputs)
            #expect(joined.map(\.value) == Array(stride(from: 0, to: 2_000, by: 2)))
            #expect(outputs.allSatisfy { $0.count == 0 })
            #expect(Tracked.live.load(ordering: .relaxed) - before == joined.count)
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }

    @Test("A failing run's error is thrown and no output leaks")
    func failureFreesOutputs() async {
        let before = Tracked.live.load(ordering: .relaxed)
        await #expect(throws: Failure.self) {
            _ = try await TaskOutput<Tracked>.gather(runs: [0..<500, 500..<1_000, 1_000..<1_500]) { run, output in
                for i in run { output.append(Tracked(i)) }
                if run.lowerBound == 500 { throw Failure() }
            }
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }
}
