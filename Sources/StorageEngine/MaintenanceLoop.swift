import Synchronization

/// A store's background maintenance: a detached task that calls `tick` on its owner every
/// interval until stopped. It holds the owner weakly, so a store dropped without `close()`
/// ends it too.
final class MaintenanceLoop: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start<Owner: AnyObject & Sendable>(
        owner: Owner, everyMillis interval: Int64, tick: @escaping @Sendable (Owner) async -> Void
    ) {
        let started = Task.detached { [weak owner] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(interval))
                guard let owner, !Task.isCancelled else { return }
                await tick(owner)
            }
        }
        task.withLock { $0 = started }
    }

    /// Cancels the task and waits for a tick in progress to finish.
    func stop() async {
        let running = task.withLock { t -> Task<Void, Never>? in
            defer { t = nil }
            return t
        }
        running?.cancel()
        await running?.value
    }
}

/// Lets a write-ahead log's apply callback reach the store created after the log.
final class LateBound<Value: AnyObject>: @unchecked Sendable {
    // Written once before the first append can complete; read on the apply queue after.
    var value: Value?
}
