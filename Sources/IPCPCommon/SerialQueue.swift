import DevKit
import Synchronization

/// One thread running submitted work in FIFO order (the flow allocator's
/// worker, the enrollment responder). Started on the first submission.
public final class SerialQueue: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var started = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let signal = ConditionSignal()

    public init() {}

    /// Queues `job`; it is dropped once the queue is stopped.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.jobs.append(job)
            defer { s.started = true }
            return !s.started
        }
        if start { startThread { [self] in run() } }
        signal.broadcast()
    }

    /// Ends the thread after the job in progress; queued jobs are dropped.
    public func stop() {
        state.withLock {
            $0.stopped = true
            $0.jobs.removeAll()
        }
        signal.broadcast()
    }

    private func run() {
        while true {
            var job: (@Sendable () -> Void)?
            var stopped = false
            signal.wait {
                state.withLock { s in
                    stopped = s.stopped
                    if !s.jobs.isEmpty { job = s.jobs.removeFirst() }
                    return stopped || job != nil
                }
            }
            if stopped { return }
            job?()
        }
    }
}
