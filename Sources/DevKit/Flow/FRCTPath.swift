/// FRCT on the data path of a flow (spec host.md §6): sending data through
/// FRCT, taking received packets through it, control packets, the window
/// wait, retransmission and linger.
///
/// Locks: a flow's `writeLock` is taken after its `readLock`, never the other
/// way, and the FRCT state lock is never held while taking either. The
/// service thread only ever tries the flow locks (`withLockIfAvailable`), so
/// one stuck flow cannot stop the timers of the others.
extension FlowRuntime {
    /// The send pipeline of every packet on a flow, with `writeLock` held:
    /// encryption (spec host.md §4.8; keepalives, being empty, stay clear), then
    /// the tx ring and the peer's FLOW_PKT. On failure the block is freed.
    ///
    /// Retransmissions come through here too, from the PDU FRCT kept before the
    /// pipeline ran. Reference defect fixed by that structure: the reference
    /// retransmits the block's bytes as they are after encryption, without IV
    /// and tag, so a peer cannot decrypt them; here a retransmission is
    /// encrypted afresh like any packet.
    func transmit(_ e: FlowEndpoint, _ buf: PacketBuffer, _ mode: WaitMode) throws(OuroError) {
        if let cipher = e.cipher, buf.length > 0 {
            do {
                try cipher.seal(buf)
            } catch {
                try? e.pool.release(buf.offset)
                throw error
            }
        }
        e.pool.handOff(buf.offset)
        do {
            try e.tx.write(buf.offset, mode)
        } catch {
            e.pool.adopt(buf.offset)
            try? e.pool.release(buf.offset)
            throw error
        }
        e.peerSet.notify(e.flowID, .packet)
    }

    /// Sends one data packet: header, a copy kept for retransmission, pipeline.
    func sendFRCT(_ e: FlowEndpoint, _ f: FRCTInstance, _ bytes: UnsafeRawBufferPointer, _ mode: WaitMode) throws(OuroError) {
        let buf = try e.allocate(length: bytes.count, mode)
        buf.bytes.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        do {
            try buf.headAlloc(FRCTHeader.size)
        } catch {
            try? e.pool.release(buf.offset)
            throw OuroError.noMemory
        }
        try e.writeLock.withLock { (_: inout ()) throws(OuroError) in
            let now = FRCTInstance.now
            let (h, keep, rto) = f.state.withLock { s in
                let (h, keep) = s.send(now: now) { UInt32.random(in: .min ... .max) }
                return (h, keep, s.rtt.rto)
            }
            h.write(to: buf.bytes.baseAddress!)
            if keep {
                let pdu = Array(buf.bytes)
                f.state.withLock { $0.keep(pdu, seqno: h.seqno) }
                timers.scheduleRetransmit(.init(fd: e.fd, flowID: e.flowID, seqno: h.seqno, firstSent: now), delay: rto)
            }
            try transmit(e, buf, mode)
        }
    }

    /// Sends an FRCT control packet (ACK, FC, RDVS). `wait` false only tries
    /// the flow's write lock; a packet that cannot go is dropped (FRCT
    /// recovers: later ACKs, rendezvous).
    func sendControl(_ e: FlowEndpoint, _ h: FRCTHeader, wait: Bool) {
        guard let buf = try? e.pool.allocate(length: FRCTHeader.size, .nonBlocking) else { return }
        h.write(to: buf.bytes.baseAddress!)
        if wait {
            e.writeLock.withLock { _ in try? transmit(e, buf, .nonBlocking) }
        } else if e.writeLock.withLockIfAvailable({ _ in try? transmit(e, buf, .nonBlocking) }) == nil {
            try? e.pool.release(buf.offset)
        }
    }

    /// Takes one packet just read from the rx ring through decryption and FRCT
    /// (the caller holds `readLock`): data goes to the reorder queue,
    /// everything else is consumed; keepalives, runts and packets that do not
    /// authenticate are dropped.
    func receiveFRCT(_ e: FlowEndpoint, _ f: FRCTInstance, offset: Int, wait: Bool) {
        e.pool.adopt(offset)
        e.settings.withLock { $0.lastReceive = .now }
        guard let buf = try? e.pool.buffer(at: offset), buf.length > 0, FlowRuntime.decrypt(e, buf),
              buf.length >= FRCTHeader.size else {
            try? e.pool.release(offset)
            return
        }
        let h = FRCTHeader(reading: buf.bytes.baseAddress!)
        try? buf.headRelease(FRCTHeader.size)
        let now = FRCTInstance.now
        let (r, eager, fast) = f.state.withLock { s in
            let r = s.receive(h, packet: offset, now: now)
            return (r, r.reply == nil ? s.acknowledgement(now: now, eager: true) : nil,
                    r.fastRetransmit ? s.resendOldest(now: now) : nil)
        }
        if !r.queued { try? e.pool.release(offset) }
        if let (pdu, ackno) = fast { resend(e, pdu, ackno: ackno) }
        if let reply = r.reply ?? eager { sendControl(e, reply, wait: wait) }
        if r.delayedAck { timers.scheduleAck(fd: e.fd, flowID: e.flowID) }
        if r.windowUpdated { f.windowChanged.broadcast() }
    }

    /// Takes everything waiting in the rx ring through FRCT (the caller holds
    /// `readLock`); returns how many packets that was.
    @discardableResult
    func pumpFRCT(_ e: FlowEndpoint, _ f: FRCTInstance, wait: Bool) -> Int {
        var n = 0
        while n < RingBuffer.slots, let offset = try? e.rx.read(.nonBlocking) {
            receiveFRCT(e, f, offset: offset, wait: wait)
            n += 1
        }
        return n
    }

    /// The next in-order packet for `flow_read` (the caller holds `readLock`),
    /// taking packets from the rx ring through FRCT until one is deliverable.
    func nextFRCTPacket(_ e: FlowEndpoint, _ f: FRCTInstance, _ mode: WaitMode) throws(OuroError) -> Int {
        while true {
            let now = FRCTInstance.now
            let (packet, ack) = f.state.withLock { s in
                let p = s.deliver()
                return (p, p == nil ? nil : s.acknowledgement(now: now, eager: true))
            }
            if let a = ack { sendControl(e, a, wait: true) }
            if let p = packet { return p }
            receiveFRCT(e, f, offset: try e.rx.read(mode), wait: true)
        }
    }

    /// Waits until the flow-control window lets a packet out (spec host.md
    /// §6.5): `EAGAIN` when non-blocking, at the deadline `ECONNRESET` if it
    /// was closed for over a second, else `ETIMEDOUT`; `EFLOWDOWN` when the
    /// flow went down. Rendezvous probes go out while it is closed. Unlike
    /// the reference, a writer without a send timeout probes too, and takes
    /// waiting packets through FRCT itself when no reader does.
    func awaitSendWindow(_ e: FlowEndpoint, _ f: FRCTInstance, nonBlocking: Bool, deadline: Deadline?) throws(OuroError) {
        while true {
            if e.tx.acl.contains(.flowDown) { throw OuroError.flowDown }
            if f.state.withLock({ $0.windowIsOpen }) { return }
            let pumped = e.readLock.withLockIfAvailable { _ in pumpFRCT(e, f, wait: true) } ?? 0
            guard let closed = f.state.withLock({ $0.sendWindow(now: FRCTInstance.now) }) else { return }
            if pumped > 0 { continue }
            if closed.rendezvous { sendControl(e, FRCTState.rendezvousHeader, wait: true) }
            if nonBlocking { throw OuroError.again }
            if let d = deadline, d.hasPassed { throw closed.expired ? OuroError.connectionReset : OuroError.timedOut }
            var until = Deadline.now.adding(nanoseconds: UInt64(FRCTState.tick))
            if let d = deadline, d < until { until = d }
            f.windowChanged.wait(until: until) {
                f.state.withLock { $0.windowIsOpen } || e.tx.acl.contains(.flowDown)
            }
        }
    }

    /// Both rings of the flow go down (FRCT gave up on it).
    func markDown(_ e: FlowEndpoint) {
        e.tx.acl = e.tx.acl.union(.flowDown)
        e.rx.acl = e.rx.acl.union(.flowDown)
        e.frct?.windowChanged.broadcast()
    }

    /// Advances the timer wheels: delayed ACKs and retransmissions.
    func advanceFRCTTimers() {
        let (retransmits, acks) = timers.expire()
        for a in acks {
            guard let (e, f) = frctEndpoint(fd: a.fd, flowID: a.flowID),
                  let h = f.state.withLock({ $0.acknowledgement(now: FRCTInstance.now, eager: false) }) else { continue }
            sendControl(e, h, wait: false)
        }
        for r in retransmits {
            guard let (e, f) = frctEndpoint(fd: r.fd, flowID: r.flowID) else { continue }
            let (decision, pdu) = f.state.withLock { s -> (FRCTState.Retransmission, [UInt8]?) in
                let d = s.retransmission(of: r.seqno, firstSent: r.firstSent, now: FRCTInstance.now)
                guard case .resend(let seqno, _, _) = d else { return (d, nil) }
                return (d, s.pdu(of: seqno))
            }
            switch decision {
            case .acknowledged:
                continue
            case .expired:
                markDown(e)
            case .wait(let timeout):
                timers.scheduleRetransmit(r, delay: timeout)
            case .resend(_, let ackno, let timeout):
                if let p = pdu { resend(e, p, ackno: ackno) }
                timers.scheduleRetransmit(r, delay: timeout)
            }
        }
    }

    private func frctEndpoint(fd: Int32, flowID: Int) -> (FlowEndpoint, FRCTInstance)? {
        guard let e = try? endpoint(fd), e.flowID == flowID, let f = e.frct else { return nil }
        return (e, f)
    }

    /// A copy of the kept PDU with the current ackno, through the pipeline.
    /// When no block or no ring slot is free it simply waits for the next timeout.
    private func resend(_ e: FlowEndpoint, _ pdu: [UInt8], ackno: UInt32) {
        guard let buf = try? e.pool.allocate(length: pdu.count, .nonBlocking) else { return }
        pdu.withUnsafeBytes { buf.bytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: pdu.count) }
        FRCTHeader.patchAckno(ackno, at: buf.bytes.baseAddress!)
        if e.writeLock.withLockIfAvailable({ _ in try? transmit(e, buf, .nonBlocking) }) == nil {
            try? e.pool.release(buf.offset)
        }
    }

    /// Linger at deallocation (spec host.md §4.3 steps 1–2, §6.9): take in
    /// pending control traffic, send a final ACK if due, and while sent data is
    /// unacknowledged (with `.linger`) keep reading in 5 ms steps until it is
    /// acknowledged or the flow goes down. Returns how long (s) the layer
    /// should keep the flow.
    func lingerFRCT(_ e: FlowEndpoint, _ f: FRCTInstance) -> Int64 {
        e.settings.withLock {
            $0.flags = FlowFlags.default.union(.readNoPartial)
            $0.receiveTimeout = .nanoseconds(FRCTState.tick)
        }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { scratch.deallocate() }
        let readOnce = { () -> OuroError? in
            do throws(OuroError) {
                _ = try e.readLock.withLock { (_: inout ()) throws(OuroError) -> Int in try FlowRuntime.read(e, into: scratch) }
                return nil
            } catch {
                return error
            }
        }
        _ = readOnce()
        while true {
            let (ack, seconds, lingering) = f.state.withLock { $0.deallocation(now: FRCTInstance.now) }
            if let a = ack { sendControl(e, a, wait: true) }
            if !lingering {
                lingerAsReceiver(e, f, readOnce)
                return seconds
            }
            if let err = readOnce(), err == .flowDown || err == .flowPeer { return seconds }
        }
    }

    /// The receiver linger (`FRCTState.receiverQuiet`): acknowledge once more,
    /// then read (and so acknowledge duplicates) while the peer is still heard.
    private func lingerAsReceiver(_ e: FlowEndpoint, _ f: FRCTInstance, _ readOnce: () -> OuroError?) {
        let start = FRCTInstance.now
        guard f.state.withLock({ $0.peerMayRetransmit(now: start) }) else { return }
        sendControl(e, f.state.withLock { $0.repeatedAcknowledgement() }, wait: true)
        while f.state.withLock({ $0.peerMayRetransmit(now: FRCTInstance.now) }),
              FRCTInstance.now - start < FRCTState.receiverLinger {
            if let err = readOnce(), err == .flowDown || err == .flowPeer { return }
        }
    }
}
