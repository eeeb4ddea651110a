import DevKit
import Synchronization

/// Counts threads that finished, for a bounded wait at shutdown.
final class ThreadCount: Sendable {
    private let count = Mutex(0)
    private let signal = ConditionSignal()

    func increment() {
        count.withLock { $0 += 1 }
        signal.broadcast()
    }

    func wait(for n: Int, milliseconds: Int) {
        signal.wait(until: .after(milliseconds: milliseconds)) { count.withLock { $0 >= n } }
    }
}
