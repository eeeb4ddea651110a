/// The FRCT state machine of one flow (spec host.md §6.3–§6.9) as a value:
/// every decision FRCT takes, with the clock passed in (monotonic ns), and no
/// I/O. `FRCTInstance` wraps it with a lock and does the sending.
///
/// Packets held in the reorder queue are tokens of type `Int` (pool block
/// offsets in the library).
struct FRCTState {
    /// `FRCT_START_WINDOW`: a new run may send this many packets before the first FC.
    static let startWindow: UInt32 = 64
    /// Δt ack (`a`) and Δt rtx (`r`).
    static let maxAckDelay: Int64 = 10_000_000_000
    static let maxRetransmitTime: Int64 = 120_000_000_000
    /// The FRCT tick: an ACK is only sent on its own when nothing was sent for this long.
    static let tick: Int64 = 5_000_000
    /// Delay of a timer-driven ACK after storing a packet.
    static let ackDelay: Int64 = 2 * tick
    /// Duplicate ACKs that make the sender resend its oldest packet at once,
    /// and out-of-order arrivals per gap the receiver reports at once.
    static let duplicateAckThreshold = 3
    /// At most this many packets unacknowledged (the reorder queue's size),
    /// whatever window the peer grants: each has its slot for retransmission.
    static let maxOutstanding: UInt32 = 256
    /// Our addition: acknowledge at once when this many packets were taken in
    /// since the last ACK (the reference only acknowledges on its 10 ms
    /// timer, which caps a flow at one window per 10 ms). These are ordinary
    /// ACK|FC packets, as the reference itself sends.
    static let eagerAckThreshold: UInt32 = 32
    static let second: Int64 = 1_000_000_000

    /// One direction's connection record.
    struct Connection: Sendable, Equatable {
        var lwe: UInt32 = 0
        var rwe: UInt32 = 0
        var flags: FRCTFlags = []
        /// Sender: the next seqno. Receiver: the left window edge last acknowledged.
        var seqno: UInt32 = 0
        /// Last activity (ns).
        var active: Int64
        /// Inactivity period (whole seconds) after which a new run starts.
        let inactive: Int64

        /// Whether the record saw no activity for longer than its inactivity
        /// period, counted in whole seconds as the reference does.
        func isInactive(at now: Int64) -> Bool {
            FRCTState.seconds(now) - FRCTState.seconds(active) > inactive
        }

        /// Seconds left until the record becomes inactive (≤ 0 once it is).
        func remaining(at now: Int64) -> Int64 {
            inactive - (FRCTState.seconds(now) - FRCTState.seconds(active))
        }
    }

    /// What one received packet did.
    struct Received: Equatable {
        /// The packet went to the reorder queue (otherwise the caller frees it).
        var queued = false
        /// A control packet to send now.
        var reply: FRCTHeader?
        /// Schedule a timer-driven ACK.
        var delayedAck = false
        /// The send window moved: wake blocked writers.
        var windowUpdated = false
        /// Duplicate ACKs say the oldest packet is lost: resend it now
        /// (`resendOldest`).
        var fastRetransmit = false
    }

    /// What to do with a packet in the retransmission wheel.
    enum Retransmission: Equatable {
        /// Acknowledged meanwhile: forget it.
        case acknowledged
        /// Nothing to send yet: look again after `timeout` ns.
        case wait(timeout: Int64)
        /// Unacknowledged for longer than `r`, with no ACK moving the left
        /// edge for as long: the flow is dead. The reference counts `r` from
        /// the packet's first send only, so under heavy loss a packet waiting
        /// behind a long line of retransmissions took a progressing flow down.
        case expired
        /// Send packet `seqno` (the oldest unacknowledged) again with this
        /// ackno, and look again after `timeout` ns.
        case resend(seqno: UInt32, ackno: UInt32, timeout: Int64)
    }

    var snd: Connection
    var rcv: Connection
    /// With retransmission: the edge up to which everything was received
    /// (delivered or waiting in the reorder queue). What we acknowledge: the
    /// reference acknowledges only what the application has read, so its
    /// acknowledgements — and RTT samples — wait for the reader; packets in
    /// the reorder queue are safe, so acknowledging them is sound for any
    /// sender. The window still follows the reader.
    private(set) var received: UInt32 = 0
    /// The right window edge we last advertised.
    private(set) var advertised: UInt32 = 0
    private(set) var rtt = RTTEstimator()
    /// With retransmission, per slot `seqno mod 256` of the sent packets: the
    /// seqno, when it was sent, and whether it was sent again.
    ///
    /// RTT sampling differs from the reference (which times one probe packet
    /// at a time): an ACK that moves the left edge gives a sample when the
    /// last packet it covers was sent once, timed from the later of that
    /// send and the last retransmission of a packet before it (which may have
    /// held the ACK up); an ACK for a retransmitted packet gives none (Karn).
    /// Under heavy loss nearly every ACK covers a retransmission: timing from
    /// it keeps the estimate current there. The reference's probe
    /// is acknowledged cumulatively, so behind a lost packet its sample
    /// includes the whole retransmission timeout, and the timeout feeds on
    /// itself until it reaches tens of seconds under steady loss. Likewise the
    /// timeout doubles when the oldest unacknowledged packet times out again
    /// after a retransmission (persistent loss), not whenever whichever packet
    /// was the probe does: without selective acknowledgement every packet
    /// behind a lost one times out too. Nothing of this is on the wire.
    ///
    /// Loss recovery adds to the reference, with packets it already knows:
    /// a receiver that sees a gap acknowledges at once (ACK|FC with its
    /// unchanged edge, up to `duplicateAckThreshold` times per gap), and a
    /// sender that gets that many such ACKs resends the oldest packet without
    /// waiting for its timeout (fast retransmit). Without it a lost packet
    /// holds up the whole window for a timeout and everything behind it
    /// is retransmitted too.
    ///
    /// While recovering (from a fast retransmit until everything sent before
    /// it is acknowledged) an ACK that moves the edge only part of the way
    /// resends the new oldest packet at once (as TCP NewReno does), and a
    /// timeout resends only the oldest packet: the others wait behind it
    /// rather than being sent again although they arrived.
    private var sent = [(seqno: UInt32, time: Int64, resentAt: Int64?, pdu: [UInt8])](repeating: (0, 0, 0, []), count: 256)
    /// Pure ACKs repeating the sender's left edge, and the edge already resent fast.
    private var duplicateAcks = 0
    private var fastRetransmitted: UInt32?
    /// While recovering: the next seqno when recovery started.
    private var recoveryPoint: UInt32?
    /// Set at deallocation: a lingering sender resends at the plain timeout,
    /// without back-off, so that its last retransmissions reach the peer's
    /// receiver linger (`receiverQuiet`), which ends after a quiet spell.
    private var deallocating = false
    /// When an ACK last moved the left edge (ns).
    private var lastProgress: Int64 = .min
    /// Immediate ACKs sent for the current gap.
    private var gapAcks = 0
    private(set) var queue = ReorderQueue<Int>()
    private(set) var window = SendWindow()
    private(set) var statistics = FRCTStatistics()

    /// The state of a fresh flow: `qos` picks the flags (§6.1), `mpl` is the
    /// flow's maximum packet lifetime in ms; both records start inactive.
    ///
    /// `roundTrip`, how long the flow's allocation took (ns), is the first
    /// RTT sample when given (ours; the reference starts at a 1 s timeout).
    /// The allocation crossed the same layers, so it bounds the RTT from
    /// above. Without it, a run whose first window is lost is recovered at
    /// 1 s per lost retransmission: every packet of that window is
    /// retransmitted, so Karn's rule gives no sample until it is over.
    init(qos: QoSSpec, mplMilliseconds: UInt32, now: Int64, roundTrip: Int64? = nil) {
        let mpl = Int64(mplMilliseconds) * 1_000_000
        let sndInactive = (3 * mpl + Self.maxAckDelay + Self.maxRetransmitTime) / Self.second + 1
        let rcvInactive = (2 * mpl + Self.maxAckDelay + Self.maxRetransmitTime) / Self.second + 1
        snd = Connection(active: now - (sndInactive + 1) * Self.second, inactive: sndInactive)
        rcv = Connection(active: now - (rcvInactive + 1) * Self.second, inactive: rcvInactive)
        snd.flags = .resourceControl
        if qos.loss == 0 {
            snd.flags.formUnion([.retransmission, .linger])
            rcv.flags = .retransmission
        }
        snd.rwe = Self.startWindow
        if let r = roundTrip, r > 0 { rtt.sample(r) }
    }

    /// Floor of `ns` in whole seconds (also for times before the clock's epoch).
    static func seconds(_ ns: Int64) -> Int64 { ns >= 0 ? ns / second : (ns - second + 1) / second }

    var retransmits: Bool { snd.flags.contains(.retransmission) }

    // MARK: sending (§6.4, §6.5)

    /// The header of the next data packet, and whether it must be kept for
    /// retransmission. `randomSeqno` gives the first seqno of a new run.
    mutating func send(now: Int64, randomSeqno: () -> UInt32) -> (header: FRCTHeader, keep: Bool) {
        var h = FRCTHeader(flags: .data)
        if snd.seqno == snd.lwe { h.flags.insert(.dataRun) }
        if snd.isInactive(at: now) {
            snd.seqno = randomSeqno()
            snd.lwe = snd.seqno
            snd.rwe = snd.lwe &+ Self.startWindow
        }
        h.seqno = snd.seqno
        if Self.seconds(now) - Self.seconds(rcv.active) < rcv.inactive {
            h.flags.insert(.flowControl)
            h.window = rcv.rwe
            advertised = rcv.rwe
        }
        if retransmits {
            sent[Self.slot(snd.seqno)] = (snd.seqno, now, nil, [])
            if (Self.seconds(now) - Self.seconds(rcv.active)) * Self.second <= Self.maxAckDelay {
                h.flags.insert(.ack)
                h.ackno = acknowledged
                rcv.seqno = acknowledged
            }
        } else {
            snd.lwe &+= 1
        }
        snd.seqno &+= 1
        snd.active = now
        statistics.sent += 1
        return (h, retransmits)
    }

    /// Whether the flow-control window lets one more packet out (always
    /// without `.resourceControl`); when closed, the rendezvous decision.
    mutating func sendWindow(now: Int64) -> SendWindow.Closed? {
        guard !windowIsOpen else { return nil }
        let c = window.closed(now: now)
        if c.rendezvous { statistics.rendezvous += 1 }
        return c
    }

    /// Whether the flow-control window lets one more packet out (and, with
    /// retransmission, fewer than `maxOutstanding` are unacknowledged).
    var windowIsOpen: Bool {
        if retransmits && SequenceNumber.distance(from: snd.lwe, to: snd.seqno) >= Self.maxOutstanding { return false }
        return !snd.flags.contains(.resourceControl) || SequenceNumber.before(snd.seqno, snd.rwe)
    }

    /// A rendezvous probe.
    static let rendezvousHeader = FRCTHeader(flags: .rendezvous)

    // MARK: receiving (§6.6)

    /// Takes in one received packet (`packet` is its token).
    mutating func receive(_ h: FRCTHeader, packet: Int, now: Int64) -> Received {
        var r = Received()
        let seqno = h.seqno
        var inRun = !rcv.isInactive(at: now)
        if !inRun {
            if h.flags.contains(.dataRun) {
                rcv.lwe = seqno
                rcv.rwe = seqno &+ UInt32(ReorderQueue<Int>.capacity)
                rcv.seqno = seqno
                received = seqno
                advertised = rcv.rwe
                inRun = true
            } else if h.flags.contains(.data) {
                return dropped(r, now: now)
            }
        }
        // Reference defect fixed here: the reference lets any packet (a
        // rendezvous probe, an ACK) revive an inactive receiver record without
        // a run's edges, and answers the probe with that stale window. When a
        // run's first packet is lost and the sender's window closes before its
        // retransmission, the probe arrives first: the retransmitted first
        // packet then no longer starts a run, and the flow stalls for good.
        // Only a run's first packet starts a run here; a probe outside a run
        // gets no answer (the first packet's retransmission is the answer).
        if inRun { rcv.active = now }
        if h.flags.contains(.rendezvous) {
            guard inRun else { return r }
            r.reply = FRCTHeader(flags: .flowControl, window: rcv.rwe)
            advertised = rcv.rwe
            return r
        }
        if h.flags.contains(.ack), SequenceNumber.after(h.ackno, snd.lwe) {
            if retransmits {
                if let sample = rttSample(from: snd.lwe, to: h.ackno, now: now) { rtt.sample(sample) }
                var k = snd.lwe
                while k != h.ackno && SequenceNumber.distance(from: snd.lwe, to: k) < Self.maxOutstanding {
                    if sent[Self.slot(k)].seqno == k { sent[Self.slot(k)].pdu = [] }
                    k &+= 1
                }
            }
            snd.lwe = h.ackno
            lastProgress = now
            duplicateAcks = 0
            rtt.endBackOff()
            if let p = recoveryPoint {
                if SequenceNumber.before(snd.lwe, p) {
                    r.fastRetransmit = true
                } else {
                    recoveryPoint = nil
                }
            }
        } else if retransmits, h.flags.contains(.ack), !h.flags.contains(.data), h.ackno == snd.lwe,
                  SequenceNumber.before(snd.lwe, snd.seqno) {
            duplicateAcks += 1
            if duplicateAcks == Self.duplicateAckThreshold && fastRetransmitted != snd.lwe {
                fastRetransmitted = snd.lwe
                recoveryPoint = snd.seqno
                r.fastRetransmit = true
            }
        }
        if h.flags.contains(.flowControl) {
            snd.rwe = SequenceNumber.reconstructWindow(h.window, current: snd.rwe)
            window.opened()
            r.windowUpdated = true
        }
        guard h.flags.contains(.data) else { return dropped(r, now: now) }
        if SequenceNumber.before(seqno, rcv.lwe) {
            rcv.seqno = seqno
            statistics.duplicates += 1
            r.delayedAck = true
            return dropped(r, now: now)
        }
        let queueEnd = rcv.lwe &+ UInt32(ReorderQueue<Int>.capacity)
        if rcv.flags.contains(.retransmission) {
            guard SequenceNumber.before(seqno, rcv.rwe), SequenceNumber.before(seqno, queueEnd) else {
                statistics.outOfWindow += 1
                return dropped(r, now: now)
            }
        } else if queue.count == 0 {
            // Later packets win: a gap is given up at once. Reference defect
            // fixed here: the reference moves the left edge over the gap but
            // not the right one, so the window shrinks by every lost packet and
            // the flow stalls for good after 256 losses; we move both.
            skip(to: seqno)
        } else if !SequenceNumber.before(seqno, queueEnd) {
            statistics.outOfWindow += 1
            return dropped(r, now: now)
        }
        guard queue.insert(packet, at: seqno) else {
            // Held already: its ACK was lost, send one again.
            rcv.seqno = seqno
            statistics.duplicates += 1
            r.delayedAck = true
            return dropped(r, now: now)
        }
        if rcv.flags.contains(.retransmission) {
            let edge = received
            while queue.isOccupied(received) && SequenceNumber.before(received, queueEnd) { received &+= 1 }
            if received != edge {
                gapAcks = 0
                if queue.firstOccupied(from: received, before: queueEnd) != nil {
                    // A hole filled and another one is next: say so at once.
                    rcv.seqno = received
                    advertised = rcv.rwe
                    r.reply = FRCTHeader(flags: [.ack, .flowControl], window: rcv.rwe, ackno: received)
                }
            } else if SequenceNumber.after(seqno, received) {
                statistics.outOfOrder += 1
                if gapAcks < Self.duplicateAckThreshold {
                    gapAcks += 1
                    rcv.seqno = received
                    advertised = rcv.rwe
                    r.reply = FRCTHeader(flags: [.ack, .flowControl], window: rcv.rwe, ackno: received)
                }
            }
        }
        r.queued = true
        // Reference defect fixed here: without retransmission the reference
        // never acknowledges on its own, so a one-way flow never learns that
        // the window moved and stalls after 64 packets. Its receivers do send
        // ACK|FC on other paths (vectors/README.md discrepancy 5), so doing it
        // on the timer too changes nothing a reference peer cannot take.
        r.delayedAck = true
        return r
    }

    @inline(__always)
    private static func slot(_ seqno: UInt32) -> Int { Int(seqno & 255) }

    /// The RTT an ACK moving the left edge from `lwe` to `ackno` measures
    /// (see `sent`): nil when the last packet it covers was retransmitted.
    private func rttSample(from lwe: UInt32, to ackno: UInt32, now: Int64) -> Int64? {
        let n = SequenceNumber.distance(from: lwe, to: ackno)
        guard n <= Self.maxOutstanding else { return nil }
        let last = sent[Self.slot(ackno &- 1)]
        guard last.seqno == ackno &- 1, last.resentAt == nil else { return nil }
        var start = last.time
        for k in 0..<n {
            let e = sent[Self.slot(lwe &+ k)]
            guard e.seqno == lwe &+ k else { return nil }
            if let t = e.resentAt { start = max(start, t) }
        }
        return now - start
    }

    private mutating func skip(to seqno: UInt32) {
        guard SequenceNumber.after(seqno, rcv.lwe) else { return }
        statistics.outOfOrder += 1
        rcv.rwe &+= SequenceNumber.distance(from: rcv.lwe, to: seqno)
        rcv.lwe = seqno
    }

    private mutating func dropped(_ r: Received, now: Int64) -> Received {
        var r = r
        r.reply = acknowledgement(now: now, eager: false)
        return r
    }

    /// The next packet in order, if it is there; delivering it moves both
    /// receive window edges. Without retransmission a gap before the first
    /// queued packet is given up.
    mutating func deliver() -> Int? {
        if let p = queue.take(rcv.lwe) {
            rcv.lwe &+= 1
            rcv.rwe &+= 1
            return p
        }
        guard !rcv.flags.contains(.retransmission), let next = queue.firstOccupied(from: rcv.lwe, before: rcv.lwe &+ UInt32(ReorderQueue<Int>.capacity)) else { return nil }
        skip(to: next)
        return deliver()
    }

    /// How many packets `deliver()` would give in a row now.
    var deliverable: Int {
        guard rcv.flags.contains(.retransmission) else { return queue.count }
        var n = 0
        while n < queue.count && queue.isOccupied(rcv.lwe &+ UInt32(n)) { n += 1 }
        return n
    }

    /// Empties the reorder queue (the flow is going away).
    mutating func removeQueued() -> [Int] { queue.removeAll() }

    // MARK: acknowledgements (§6.8)

    /// The sequence number we acknowledge: everything before it arrived.
    var acknowledged: UInt32 { rcv.flags.contains(.retransmission) ? received : rcv.lwe }

    /// The ACK|FC to send now, if any, and only while the peer was heard
    /// within `a`. A timer-driven one (`eager` false, the reference's rule)
    /// when something arrived since the last ACK and we sent no data within one
    /// tick (the ACK rides on that data). An eager one (ours) once
    /// `eagerAckThreshold` packets are unacknowledged or the reader moved the
    /// window that far since it was last advertised.
    mutating func acknowledgement(now: Int64, eager: Bool) -> FRCTHeader? {
        guard now - rcv.active <= Self.maxAckDelay else { return nil }
        let ack = acknowledged
        if eager {
            let acks = SequenceNumber.after(ack, rcv.seqno)
                && SequenceNumber.distance(from: rcv.seqno, to: ack) >= Self.eagerAckThreshold
            let moves = SequenceNumber.after(rcv.rwe, advertised)
                && SequenceNumber.distance(from: advertised, to: rcv.rwe) >= Self.eagerAckThreshold
            guard acks || moves else { return nil }
        } else {
            guard SequenceNumber.after(ack, rcv.seqno), now - snd.active >= Self.tick else { return nil }
        }
        rcv.seqno = ack
        advertised = rcv.rwe
        return FRCTHeader(flags: [.ack, .flowControl], window: rcv.rwe, ackno: ack)
    }

    // MARK: retransmission (§6.8)

    /// Keeps the whole PDU of the data packet `seqno` just sent, as it was
    /// before the send pipeline (so that a retransmission goes through it
    /// again, encryption included).
    mutating func keep(_ pdu: [UInt8], seqno: UInt32) {
        let i = Self.slot(seqno)
        if sent[i].seqno == seqno { sent[i].pdu = pdu }
    }

    /// The kept PDU of `seqno`, if it is still unacknowledged.
    func pdu(of seqno: UInt32) -> [UInt8]? {
        let e = sent[Self.slot(seqno)]
        guard e.seqno == seqno, !SequenceNumber.before(seqno, snd.lwe), !e.pdu.isEmpty else { return nil }
        return e.pdu
    }

    /// Fast retransmit: the oldest unacknowledged packet to send again now,
    /// with the current ackno.
    mutating func resendOldest(now: Int64) -> (pdu: [UInt8], ackno: UInt32)? {
        guard let p = pdu(of: snd.lwe) else { return nil }
        sent[Self.slot(snd.lwe)].resentAt = now
        statistics.retransmitted += 1
        return (p, acknowledged)
    }

    /// Decides about the packet `seqno`, first sent at `firstSent`, whose
    /// retransmission timer expired. Only the oldest unacknowledged packet is
    /// ever sent again on a timeout, once it was last sent a timeout ago (a
    /// timer of any packet behind it may be what finds it due); the
    /// others wait (see `sent`).
    mutating func retransmission(of seqno: UInt32, firstSent: Int64, now: Int64) -> Retransmission {
        if SequenceNumber.before(seqno, snd.lwe) { return .acknowledged }
        if now - max(firstSent, lastProgress) > Self.maxRetransmitTime { return .expired }
        let oldest = snd.lwe
        let j = Self.slot(oldest)
        guard sent[j].seqno == oldest else { return .wait(timeout: rtt.rto) }
        let last = sent[j].resentAt ?? sent[j].time
        if now - last < rtt.rto { return .wait(timeout: rtt.rto - (now - last)) }
        if sent[j].resentAt != nil && !deallocating { rtt.backOff() }
        sent[j].resentAt = now
        if recoveryPoint == nil { recoveryPoint = snd.seqno }
        statistics.retransmitted += 1
        return .resend(seqno: oldest, ackno: acknowledged, timeout: rtt.rto)
    }

    // MARK: deallocation (§6.9)

    /// At deallocation: the final ACK to send (if the last one is stale), how
    /// long (s) the flow must stay known to the layer, and whether sent data is
    /// still unacknowledged with `.linger` set.
    mutating func deallocation(now: Int64) -> (finalAck: FRCTHeader?, seconds: Int64, lingering: Bool) {
        if !deallocating {
            deallocating = true
            rtt.endBackOff()
        }
        let ack = acknowledged != rcv.seqno ? FRCTHeader(flags: .ack, ackno: acknowledged) : nil
        let wait = max(rcv.remaining(at: now), snd.remaining(at: now), 0)
        let lingering = snd.flags.contains(.linger) && SequenceNumber.before(snd.lwe, snd.seqno)
        return (ack, wait, lingering)
    }

    /// Receiver linger (ours; the reference has none): after deallocation
    /// the peer may still be retransmitting because our last ACK was lost, and
    /// without an answer its own linger waits for `r` (120 s). While data
    /// arrived within `receiverQuiet`, the deallocating side keeps reading
    /// and acknowledging, for at most `receiverLinger` in all.
    static let receiverQuiet: Int64 = 250_000_000
    static let receiverLinger: Int64 = 3_000_000_000

    /// Whether the peer was heard in a retransmitting run within `receiverQuiet`.
    func peerMayRetransmit(now: Int64) -> Bool {
        rcv.flags.contains(.retransmission) && !rcv.isInactive(at: now) && now - rcv.active < Self.receiverQuiet
    }

    /// The ACK|FC of everything received, whether or not it was sent before
    /// (the receiver linger's first, in case the last one was lost).
    mutating func repeatedAcknowledgement() -> FRCTHeader {
        rcv.seqno = acknowledged
        advertised = rcv.rwe
        return FRCTHeader(flags: [.ack, .flowControl], window: rcv.rwe, ackno: acknowledged)
    }

    // MARK: fccntl

    /// FRCTSFLAGS. Retransmission stays as the QoS set it (the peer's receiver
    /// depends on it). The reference clears every other flag whatever is asked
    /// (a local defect); here `.resourceControl` and `.linger` are set as given.
    mutating func setFlags(_ flags: FRCTFlags) {
        snd.flags = snd.flags.intersection(.retransmission)
            .union(flags.intersection([.resourceControl, .linger]))
    }

    /// The counters with the current RTT state.
    var currentStatistics: FRCTStatistics {
        var s = statistics
        s.srtt = .nanoseconds(rtt.srtt)
        s.rto = .nanoseconds(rtt.rto)
        return s
    }
}
