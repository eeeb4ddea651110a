#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The standing queue of each N-1 flow, for the ECN marks a source puts on
/// its own packets: the shortest send queue seen in the last complete window
/// of `window` ns, never more than the queue now. A burst that drains within
/// a window (a paced sender hands over a slot's packets at once) leaves no
/// standing queue and marks nothing; a first hop that does not keep up does.
/// The reference marks the instantaneous depth there too; measured here
/// (mbecn-bench, 100 Mbit/s), marks from those bursts slowed two flows until
/// one starved (0.7 against 33 Mbit/s, the bottleneck a third used).
/// Forwarding hops keep the instantaneous depth: there, filtered the same
/// way, the signal came too late (loss 53% instead of 16%).
///
/// Lock-free per flow descriptor; concurrent observers may race on a window
/// boundary, which only shifts one window's minimum.
final class StandingQueues: @unchecked Sendable {
    /// The window length in ns.
    static let window: UInt64 = 2_000_000
    /// Flow descriptors followed (PROG_MAX_FLOWS).
    static let maxFlows = 4096
    /// Per flow: window start (ns), minimum so far, last window's minimum.
    private static let fields = 3

    private let slots: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        let count = Self.maxFlows * Self.fields
        slots = calloc(count, MemoryLayout<Atomic<UInt64>>.stride)!.bindMemory(to: Atomic<UInt64>.self, capacity: count)
    }

    deinit { free(slots) }

    /// Records that flow `fd` has `queued` packets at monotonic time `now`
    /// (ns) and returns its standing queue.
    func observe(fd: Int32, queued: Int, now: UInt64) -> Int {
        guard fd >= 0, Int(fd) < Self.maxFlows else { return queued }
        let start = slots + Int(fd) * Self.fields
        let current = UInt64(max(queued, 0))
        let began = start[0].load(ordering: .relaxed)
        let elapsed = now &- began
        if elapsed >= Self.window {
            // A window ends; after a silence of more than a window the
            // queue was not seen standing.
            let minimum = elapsed < 2 * Self.window ? start[1].load(ordering: .relaxed) : 0
            start[2].store(minimum, ordering: .relaxed)
            start[1].store(current, ordering: .relaxed)
            start[0].store(now, ordering: .relaxed)
        } else {
            var seen = start[1].load(ordering: .relaxed)
            while current < seen {
                let (exchanged, actual) = start[1].compareExchange(expected: seen, desired: current,
                                                                   ordering: .relaxed)
                if exchanged { break }
                seen = actual
            }
        }
        return Int(min(current, start[2].load(ordering: .relaxed)))
    }
}
