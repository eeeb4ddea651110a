import DevKit
import Synchronization

/// The daemon's one timer thread (DESIGN.md: never a thread per timer). Work
/// scheduled here runs on that thread, so it must be short: anything that
/// blocks (sending on a full flow, waiting for answers) belongs on the
/// component's own thread, woken from the timer.
public final class Timers: Sendable {
    /// A scheduled piece of work; `cancel` stops it (a run in progress finishes).
    public final class Handle: Sendable {
        fileprivate let cancelled = Atomic<Bool>(false)
        public func cancel() { cancelled.store(true, ordering: .relaxed) }
    }

    private struct Entry {
        var due: Deadline
        let interval: UInt64?
        let handle: Handle
        let work: @Sendable () -> Void
    }

    private struct State {
        var entries: [Entry] = []
        var started = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let changed = ConditionSignal()

    public init() {}

    /// Runs `work` every `seconds` seconds (the first time after one period).
    @discardableResult
    public func every(seconds: Double, _ work: @escaping @Sendable () -> Void) -> Handle {
        schedule(after: seconds, repeating: true, work)
    }

    /// Runs `work` once, `seconds` seconds from now.
    @discardableResult
    public func after(seconds: Double, _ work: @escaping @Sendable () -> Void) -> Handle {
        schedule(after: seconds, repeating: false, work)
    }

    /// Ends the thread; nothing runs afterwards.
    public func stop() {
        state.withLock { $0.stopped = true }
        changed.broadcast()
    }

    private func schedule(after seconds: Double, repeating: Bool, _ work: @escaping @Sendable () -> Void) -> Handle {
        let ns = UInt64(max(seconds, 0) * 1e9)
        let handle = Handle()
        let start = state.withLock { s -> Bool in
            s.entries.append(Entry(due: .now.adding(nanoseconds: ns), interval: repeating ? max(ns, 1_000_000) : nil,
                                   handle: handle, work: work))
            defer { s.started = true }
            return !s.started
        }
        if start { startThread { [self] in run() } }
        changed.broadcast()
        return handle
    }

    private func run() {
        while true {
            var due: [Entry] = []
            var next: Deadline?
            let stopped = state.withLock { s -> Bool in
                s.entries.removeAll { $0.handle.cancelled.load(ordering: .relaxed) }
                let now = Deadline.now
                var kept: [Entry] = []
                for var e in s.entries {
                    if e.due <= now {
                        due.append(e)
                        guard let interval = e.interval else { continue }
                        e.due = now.adding(nanoseconds: interval)
                    }
                    kept.append(e)
                }
                s.entries = kept
                next = kept.map(\.due).min()
                return s.stopped
            }
            if stopped { return }
            for e in due where !e.handle.cancelled.load(ordering: .relaxed) { e.work() }
            if !due.isEmpty { continue }
            let deadline = next ?? .after(milliseconds: 60_000)
            changed.wait(until: deadline) { state.withLock { s in s.stopped || s.entries.contains { $0.due < deadline } } }
        }
    }
}
