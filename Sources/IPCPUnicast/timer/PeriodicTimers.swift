import DevKit
import Synchronization

/// One thread running periodic jobs (LSA refresh, forwarding-table
/// recalculation, DHT maintenance) for a whole daemon. Jobs run one at a time
/// on that thread, so a job must not block for long.
public final class PeriodicTimers: Sendable {
    private struct Job {
        let id: Int
        let interval: UInt64
        var next: Deadline
        let run: @Sendable () -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var nextID = 0
        var changed = false
        var started = false
        var stopping = false
    }

    private let state = Mutex(State())
    private let signal = ConditionSignal()

    public init() {}

    /// Runs `job` every `seconds` (first run one period from now). Returns an
    /// id for `cancel`.
    @discardableResult
    public func schedule(every seconds: Double, _ job: @escaping @Sendable () -> Void) -> Int {
        let interval = UInt64(max(seconds, 0.001) * 1e9)
        let (id, start) = state.withLock { s -> (Int, Bool) in
            s.nextID += 1
            s.jobs.append(Job(id: s.nextID, interval: interval,
                              next: Deadline.now.adding(nanoseconds: interval), run: job))
            s.changed = true
            defer { s.started = true }
            return (s.nextID, !s.started)
        }
        if start { startThread { [self] in self.loop() } }
        signal.broadcast()
        return id
    }

    /// Stops running the job `id`.
    public func cancel(_ id: Int) {
        state.withLock { s in s.jobs.removeAll { $0.id == id } }
    }

    /// Ends the timer thread after the job it is running, if any.
    public func stop() {
        state.withLock { $0.stopping = true }
        signal.broadcast()
    }

    private func loop() {
        while true {
            let now = Deadline.now
            let (due, next, stopping) = state.withLock { s -> ([@Sendable () -> Void], Deadline?, Bool) in
                s.changed = false
                var due: [@Sendable () -> Void] = []
                for i in s.jobs.indices where s.jobs[i].next <= now {
                    due.append(s.jobs[i].run)
                    s.jobs[i].next = now.adding(nanoseconds: s.jobs[i].interval)
                }
                return (due, s.jobs.map(\.next).min(), s.stopping)
            }
            if stopping { return }
            due.forEach { $0() }
            if !due.isEmpty { continue }
            signal.wait(until: next) { state.withLock { $0.changed || $0.stopping } }
        }
    }
}
