#if canImport(Glibc)
import Glibc
#endif
import COuro
import Synchronization

/// How long a shared-memory operation may block.
public enum WaitMode: Sendable, Equatable {
    /// Fail at once with `EAGAIN` (or the operation's own error).
    case nonBlocking
    /// Block until the operation can proceed.
    case forever
    /// Block until the deadline (`CLOCK_MONOTONIC`), then fail with `ETIMEDOUT`.
    case until(Deadline)

    /// Relative to now (negative or zero: already expired).
    public static func after(milliseconds ms: Int) -> WaitMode { .until(.after(milliseconds: ms)) }
}

/// The default spin window before a waiter sleeps in the kernel: a cross-CPU
/// futex wake-up costs tens of microseconds here, a spinning waiter sees new
/// data in well under one.
public let defaultSpinNanoseconds: UInt64 = 20_000

/// A wake-up channel in shared memory: a futex sequence word and a "someone
/// sleeps" flag. Waiters spin on their condition, then announce themselves and
/// sleep on the sequence; signallers only enter the kernel when the flag is set.
///
/// A waiter killed while asleep leaves the flag set: the next signal clears it
/// (one spare wake-up), so a dead process never slows its peer for long, and
/// nothing here is ever held.
struct ShmEvent {
    let sequence: UnsafeMutablePointer<Atomic<UInt32>>
    let sleeping: UnsafeMutablePointer<Atomic<UInt32>>

    /// The channel whose two words sit at `offset` and `offset + 4`.
    init(_ memory: SharedMemory, at offset: Int) {
        sequence = memory.pointer(offset, as: Atomic<UInt32>.self)
        sleeping = memory.pointer(offset + 4, as: Atomic<UInt32>.self)
    }

    /// Wakes every sleeper. Call right after publishing the state change with a
    /// sequentially consistent store or read-modify-write: together with the
    /// fence in `wait` either the waiter sees the change or this sees the waiter.
    @inline(__always)
    func signal() {
        guard sleeping.pointee.load(ordering: .sequentiallyConsistent) != 0 else { return }
        wakeAll()
    }

    /// Wakes every sleeper unconditionally (a state change every waiter must see).
    func wakeAll() {
        sleeping.pointee.store(0, ordering: .relaxed)
        sequence.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        _ = couro_futex_wake(futexWord, Int32.max)
    }

    private var futexWord: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(sequence).assumingMemoryBound(to: UInt32.self)
    }

    /// Waits until `ready()` holds: true if it does, false when `mode` expires
    /// first (at once for `.nonBlocking`). Spins up to `spin` ns before sleeping.
    @inline(__always)
    func wait(_ mode: WaitMode, spin: UInt64, until ready: () -> Bool) -> Bool {
        if ready() { return true }
        if mode == .nonBlocking { return false }
        return slowWait(mode, spin: spin, until: ready)
    }

    private func slowWait(_ mode: WaitMode, spin: UInt64, until ready: () -> Bool) -> Bool {
        var deadline: Deadline? = nil
        if case .until(let d) = mode { deadline = d }
        if spin > 0 {
            var end = Deadline.now.adding(nanoseconds: spin)
            if let d = deadline, d < end { end = d }
            var i = 0
            while true {
                couro_cpu_relax()
                if ready() { return true }
                i &+= 1
                if i & 63 == 0 {
                    if end.hasPassed { break }
                    // Lets the peer run should it share this CPU.
                    sched_yield()
                }
            }
        }
        while true {
            let seen = sequence.pointee.load(ordering: .acquiring)
            sleeping.pointee.store(1, ordering: .relaxed)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            if ready() { return true }
            if let d = deadline {
                let left = d.remainingNanoseconds
                if left == 0 { return false }
                var ts = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
                _ = couro_futex_wait(futexWord, seen, &ts)
            } else {
                _ = couro_futex_wait(futexWord, seen, nil)
            }
            if ready() { return true }
        }
    }
}
