#if canImport(Glibc)
import Glibc
#endif
import COuro
import Synchronization

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a detached system thread running `body`.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var tid = pthread_t()
    let r = pthread_create(&tid, nil, { arg in
        let body = Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue()
        body.run()
        return nil
    }, box)
    precondition(r == 0, "pthread_create failed: \(r)")
    pthread_detach(tid)
}

/// Sets the calling thread's nice value (-20...19; lower runs first). Linux
/// keeps one per thread; negative values need CAP_SYS_NICE.
public func setThreadNice(_ nice: Int32) throws(OuroError) {
    let r = couro_set_thread_nice(nice)
    if r < 0 { throw OuroError(code: -r) }
}

/// A pool of worker threads running jobs in FIFO order. It keeps `minIdle`
/// threads waiting and starts more whenever none is idle, so a job that blocks
/// (an accept that waits for a flow) never starves the others. Workers live
/// until `stop()`: children spawned from a worker get PR_SET_PDEATHSIG, which
/// fires when the spawning thread ends, so workers are never retired early.
public final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var idle = 0
        var threads = 0
        var stopping = false
    }
    private let state = Mutex(State())
    private let signal = ConditionSignal()
    private let minIdle: Int

    /// A pool keeping at least `minIdle` idle workers.
    public init(minIdle: Int) {
        self.minIdle = minIdle
        for _ in 0..<minIdle { spawn() }
    }

    private func spawn() {
        state.withLock { $0.threads += 1; $0.idle += 1 }
        startThread { [self] in self.work() }
    }

    /// Queues a job.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        let needMore = state.withLock { s -> Bool in
            s.jobs.append(job)
            return s.idle <= s.jobs.count - s.head
        }
        if needMore { spawn() }
        signal.broadcast()
    }

    /// Lets idle workers exit; jobs still running finish on their own.
    public func stop() {
        state.withLock { $0.stopping = true }
        signal.broadcast()
    }

    private func work() {
        while true {
            var job: (@Sendable () -> Void)?
            signal.wait {
                state.withLock { s in
                    if s.head < s.jobs.count {
                        job = s.jobs[s.head]
                        s.head += 1
                        if s.head > 64 && s.head * 2 > s.jobs.count {
                            s.jobs.removeFirst(s.head)
                            s.head = 0
                        }
                        s.idle -= 1
                        return true
                    }
                    if s.stopping {
                        s.idle -= 1
                        s.threads -= 1
                        return true
                    }
                    return false
                }
            }
            guard let run = job else { return }
            run()
            state.withLock { $0.idle += 1 }
        }
    }
}

/// A condition variable for in-process waits on predicates guarded elsewhere
/// (a `Mutex`): `wait` re-checks the predicate under its own lock, so a
/// `broadcast` after a state change is never missed.
public final class ConditionSignal: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var generation: UInt64 = 0

    public init() {
        pthread_mutex_init(&mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(&cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    /// Wakes every waiter so it re-checks its predicate.
    public func broadcast() {
        pthread_mutex_lock(&mutex)
        generation &+= 1
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until `predicate` returns true or the monotonic `deadline` passes.
    /// Returns false on timeout.
    @discardableResult
    public func wait(until deadline: Deadline? = nil, _ predicate: () -> Bool) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while true {
            let seen = generation
            pthread_mutex_unlock(&mutex)
            let done = predicate()
            pthread_mutex_lock(&mutex)
            if done { return true }
            if generation != seen { continue }
            if let d = deadline {
                var ts = d.timespec
                if pthread_cond_timedwait(&cond, &mutex, &ts) == ETIMEDOUT {
                    pthread_mutex_unlock(&mutex)
                    let last = predicate()
                    pthread_mutex_lock(&mutex)
                    return last
                }
            } else {
                pthread_cond_wait(&cond, &mutex)
            }
        }
    }
}
