#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// The `mb-ecn` policy (ipcps.md §6.6.2, §6.6.3): multi-bit ECN. Every
/// sending or forwarding IPCP ORs the depth of the outgoing N-1 flow's
/// transmit ring / 16 into the PCI's ECN byte; the receiving FA feeds it back
/// in FLOW_UPDATEs and the sending FA paces each N+1 flow by it
/// (`MultiBitECNState`).
public struct MultiBitECN: CongestionAvoidance {
    /// Queue depth to ECN level: one level per 16 queued packets.
    static let queueShift = 4

    private let clock: @Sendable () -> UInt64

    /// `clock`: monotonic time in ns (tests pass their own).
    public init(clock: @escaping @Sendable () -> UInt64 = MultiBitECN.monotonicNanoseconds) {
        self.clock = clock
    }

    public func makeContext() -> any CongestionContext { Context(clock: clock) }

    public func marking(_ flow: Flow) -> UInt8 {
        let queued = (try? flow.sendQueueLength()) ?? 0
        return Self.level(queued: queued)
    }

    /// The ECN level for `queued` packets waiting in a transmit ring.
    public static func level(queued: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: queued >> queueShift)
    }

    /// CLOCK_MONOTONIC in ns.
    @Sendable public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// One flow's state behind a lock, stamped by the policy's clock.
    final class Context: CongestionContext {
        private let state: Mutex<MultiBitECNState>
        private let clock: @Sendable () -> UInt64

        init(clock: @escaping @Sendable () -> UInt64) {
            self.clock = clock
            state = Mutex(MultiBitECNState(now: clock()))
        }

        func sending(length: Int) -> UInt64 {
            let now = clock()
            return state.withLock { $0.sending(length: length, now: now) }
        }

        func received(length: Int, ecn: UInt8) -> UInt16? {
            state.withLock { $0.received(ecn: ecn) }
        }

        func congestionReported(_ ece: UInt16) {
            state.withLock { $0.reported(ece) }
        }
    }
}
