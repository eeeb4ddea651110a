import Synchronization

/// The process's two FRCT timer wheels (spec host.md §6.8), advanced by the
/// flow service thread: packets to retransmit and flows owing a delayed ACK.
/// Entries name their flow by descriptor and flow id, so that a descriptor
/// reused by another flow is recognised.
final class FRCTTimers: Sendable {
    /// A sent packet's retransmission timer (its PDU is kept by the flow's FRCT state).
    struct Retransmit: Sendable {
        let fd: Int32
        let flowID: Int
        let seqno: UInt32
        /// When it was first sent (monotonic ns).
        let firstSent: Int64
    }

    struct DelayedAck: Sendable {
        let fd: Int32
        let flowID: Int
    }

    /// Retransmission wheel: 3 levels × 256 slots, 2^20 ns at level 0, ×16 per level.
    static let retransmitResolution = 20
    static let retransmitLevels = 3
    static let retransmitLevelShift = 4
    /// Delayed-ACK wheel: 256 slots of 2^18 ns.
    static let ackResolution = 18
    /// The longest delay the retransmission wheel holds (≈ 68.7 s).
    static let maxRetransmitDelay: Int64 = (1 << (retransmitResolution + 8 + retransmitLevelShift * (retransmitLevels - 1))) - 1

    private struct Wheels: Sendable {
        var retransmit: TimerWheel<Retransmit>
        var acks: TimerWheel<DelayedAck>
        /// Flow ids with a delayed ACK on the wheel (one each at most).
        var ackScheduled: Set<Int> = []
    }

    private let wheels: Mutex<Wheels>

    init() {
        let now = Deadline.now.nanoseconds
        wheels = Mutex(Wheels(
            retransmit: TimerWheel(resolutionShift: Self.retransmitResolution, levelShift: Self.retransmitLevelShift,
                                   levels: Self.retransmitLevels, now: now),
            acks: TimerWheel(resolutionShift: Self.ackResolution, now: now)))
    }

    /// Puts `entry` on the retransmission wheel `delay` ns from now (the clock
    /// is read under the lock, so an entry never lands in a slot already
    /// processed). Reference defect fixed here: the reference silently never
    /// retransmits a packet whose timeout exceeds the wheel, and takes the
    /// flow down when a grown timeout no longer fits; we wait the longest the
    /// wheel holds instead (the 120 s limit still ends a dead flow).
    func scheduleRetransmit(_ entry: Retransmit, delay: Int64) {
        let d = UInt64(min(max(delay, 0), Self.maxRetransmitDelay))
        _ = wheels.withLock { $0.retransmit.schedule(entry, delay: d, now: Deadline.now.nanoseconds) }
    }

    /// Schedules a delayed ACK for the flow unless one is pending.
    func scheduleAck(fd: Int32, flowID: Int) {
        wheels.withLock { w in
            guard w.ackScheduled.insert(flowID).inserted else { return }
            w.acks.schedule(DelayedAck(fd: fd, flowID: flowID), delay: UInt64(FRCTState.ackDelay),
                            now: Deadline.now.nanoseconds)
        }
    }

    /// Takes every entry that is due.
    func expire() -> (retransmits: [Retransmit], acks: [DelayedAck]) {
        wheels.withLock { w in
            let now = Deadline.now.nanoseconds
            let acks = w.acks.expire(now: now)
            for a in acks { w.ackScheduled.remove(a.flowID) }
            return (w.retransmit.expire(now: now), acks)
        }
    }
}
