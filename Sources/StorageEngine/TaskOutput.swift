/// What one task of a task group builds, in memory it owns, moved (not copied) into the
/// joined result.
///
/// Returning arrays from the tasks and concatenating them copies every element: for values
/// that hold references (labels, arrays) each copy retains them and the left-behind arrays
/// release them again, a cost paid one element at a time on the joining task. Here the joined
/// result takes the elements over bit for bit.
final class TaskOutput<Element: Sendable>: @unchecked Sendable {
    // Written by one task only; read by the joining task after the group has joined it.
    private let base: UnsafeMutablePointer<Element>
    private let capacity: Int
    private(set) var count = 0
    /// A number the task reports beside its elements (a reader's samples read).
    var tally = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: Swift.max(1, capacity))
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds an element; a task never adds more than the capacity it was given.
    func append(_ element: consuming Element) {
        precondition(count < capacity, "TaskOutput over its capacity")
        (base + count).initialize(to: element)
        count += 1
    }

    /// Every output's elements in order, moved (the outputs are left empty).
    static func concatenate(_ outputs: [TaskOutput]) -> [Element] {
        let total = outputs.reduce(0) { $0 + $1.count }
        return [Element](unsafeUninitializedCapacity: total) { buffer, initialized in
            for output in outputs where output.count > 0 {
                (buffer.baseAddress! + initialized).moveInitialize(from: output.base, count: output.count)
                initialized += output.count
                output.count = 0
            }
        }
    }

    /// Runs `body` once per run, concurrently, each with an output of the run's length as
    /// capacity; returns the outputs in run order. The first error thrown (in completion order)
    /// is rethrown; the other outputs are freed.
    static func gather(
        runs: [Range<Int>], _ body: @escaping @Sendable (Range<Int>, TaskOutput) throws -> Void
    ) async throws -> [TaskOutput] {
        try await withThrowingTaskGroup(of: (Int, TaskOutput).self) { group in
            for (i, run) in runs.enumerated() {
                group.addTask {
                    let output = TaskOutput(capacity: run.count)
                    try body(run, output)
                    return (i, output)
                }
            }
            var outputs = [TaskOutput?](repeating: nil, count: runs.count)
            for try await (i, output) in group { outputs[i] = output }
            return outputs.map { $0! }
        }
    }
}
