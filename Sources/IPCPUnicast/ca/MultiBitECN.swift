#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// The `mb-ecn` policy (ipcps.md §6.6.2, §6.6.3): multi-bit ECN. Every
/// sending or forwarding IPCP ORs the fill of the outgoing N-1 flow's
/// transmit queue (in 64ths, see `level`; at the source, its standing queue,
/// see `StandingQueues`) into the PCI's ECN byte; the receiving FA feeds it
/// back in FLOW_UPDATEs and the sending FA paces each N+1 flow by it
/// (`MultiBitECNState`).
public struct MultiBitECN: CongestionAvoidance {
    /// Queue depth to ECN level: one level per 16 packets of a 1024-slot ring.
    static let queueShift = 4
    /// The ring the reference's levels are defined on.
    static let referenceRing = 1024

    private let clock: @Sendable () -> UInt64
    private let queues = StandingQueues()

    /// `clock`: monotonic time in ns (tests pass their own).
    public init(clock: @escaping @Sendable () -> UInt64 = MultiBitECN.monotonicNanoseconds) {
        self.clock = clock
    }

    public func makeContext() -> any CongestionContext { Context(clock: clock) }

    public func marking(_ flow: Flow, queued: Int, window: Int, originated: Bool) -> UInt8 {
        let depth = originated ? queues.observe(fd: flow.fd, queued: queued, now: clock()) : queued
        return Self.level(queued: depth, window: window)
    }

    /// The ECN level for `queued` packets waiting in a transmit queue that
    /// holds at most `window`. The reference marks `queued >> 4` on rings of
    /// 1024 slots; here a flow queues at most a quarter of the pool's blocks
    /// of the packet's size (96 of 1000 bytes in the global pool), which would
    /// cap the level at 6 and leave the sender's decrease (level / 8192 per
    /// slot) too weak to matter. So the depth is scaled to that ring first:
    /// the same fill marks the same level, 63 when full. Marking still starts
    /// at 16 queued packets, as the reference's: scaled below that, the few
    /// packets a paced sender hands its first hop at the start of each slot
    /// marked its own flows and drove their rates to nothing.
    public static func level(queued: Int, window: Int) -> UInt8 {
        guard window > 0, queued >= 1 << queueShift else { return 0 }
        let scaled = min(queued, window) * referenceRing / window
        return UInt8(truncatingIfNeeded: min(scaled, referenceRing - 1) >> queueShift)
    }

    /// CLOCK_MONOTONIC in ns.
    @Sendable public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// One flow's state behind a lock, stamped by the policy's clock, with
    /// counts of the reports each way and of the packets held back.
    final class Context: CongestionContext {
        private struct Tracked {
            var state: MultiBitECNState
            var reportsSent: UInt64 = 0
            var reportsReceived: UInt64 = 0
            var paced: UInt64 = 0
        }
        private let tracked: Mutex<Tracked>
        private let clock: @Sendable () -> UInt64

        init(clock: @escaping @Sendable () -> UInt64) {
            self.clock = clock
            tracked = Mutex(Tracked(state: MultiBitECNState(now: clock())))
        }

        func sending(length: Int) -> UInt64 {
            let now = clock()
            return tracked.withLock {
                let wait = $0.state.sending(length: length, now: now)
                if wait > 0 { $0.paced &+= 1 }
                return wait
            }
        }

        func received(length: Int, ecn: UInt8) -> UInt16? {
            tracked.withLock {
                let report = $0.state.received(ecn: ecn)
                if report != nil { $0.reportsSent &+= 1 }
                return report
            }
        }

        func congestionReported(_ ece: UInt16) {
            tracked.withLock {
                $0.state.reported(ece)
                $0.reportsReceived &+= 1
            }
        }

        var summary: [(String, String)] {
            let t = tracked.withLock { $0 }
            let s = t.state
            return [
                ("congestion avoidance", "mb-ecn"),
                ("phase", s.avoidingCongestion ? "congestion avoidance" : "slow start"),
                ("reported level", String(s.reportedLevel)),
                ("byte limit per slot", String(s.byteLimit)),
                ("slot", "2^\(s.slotShift) ns"),
                ("packets held back", String(t.paced)),
                ("reports received", String(t.reportsReceived)),
                ("received level", String(s.receivedLevel)),
                ("reports sent", String(t.reportsSent)),
            ]
        }
    }
}
