/// The IPCP side of flows (spec host.md §4.10): an IPCP maps the N+1 end of a
/// flow "upside down" (it reads its own ring and writes the application's),
/// without FRCT, encryption or keepalives, and moves packets between flows.
extension Flow {
    /// Maps the N+1 end of flow `flowID` whose other end is process `pid`. A
    /// non-zero `uid` means the application uses that user's pool, which this
    /// process then opens.
    public static func mapN1(flowID: Int, peer pid: Int32, uid: UInt32) throws(OuroError) -> Flow {
        let rt = try FlowRuntime.get(announce: false)
        let pool = uid == 0 ? rt.pool : try rt.userPool(uid: uid)
        return Flow(fd: try rt.map(flowID: flowID, peerPid: pid, qos: .np1, mpl: 0, pool: pool))
    }

    /// The IPCP's flow_fini: both rings go down, the application is told the flow
    /// is gone, and what was queued for us is freed. irmd is not contacted.
    /// Descriptors are reused: with `expectingFlowID` nothing happens unless the
    /// descriptor still maps that flow, so a late release of a flow that was
    /// already taken down cannot hit the next flow given the same descriptor.
    public func release(expectingFlowID flowID: Int? = nil) {
        guard let rt = try? FlowRuntime.get(announce: false), let e = try? rt.endpoint(fd) else { return }
        if let id = flowID, e.flowID != id { return }
        rt.unmap(e)
    }

    /// Moves one packet from this flow's receive ring to `destination`, without a
    /// copy when both use the same pool. Returns false, leaving everything in
    /// place, when nothing waits or the destination's ring is full (the sender
    /// then feels the back pressure instead of losing packets). A packet for a
    /// flow that went down is dropped.
    public func transfer(to destination: Flow) throws(OuroError) -> Bool {
        let rt = try FlowRuntime.get(announce: false)
        let s = try rt.endpoint(fd)
        let d = try rt.endpoint(destination.fd)
        guard s.rx.count > 0 else { return false }
        guard d.tx.count < RingBuffer.capacity else { return false }
        let offset = try s.readLock.withLock { (_: inout ()) throws(OuroError) -> Int in try s.rx.read(.nonBlocking) }
        s.pool.adopt(offset)
        var moved = offset
        if s.pool !== d.pool {
            guard let copy = try? s.pool.copy(offset, into: d.pool, .after(milliseconds: 10)) else {
                try? s.pool.release(offset)
                return true
            }
            moved = copy.offset
        }
        do throws(OuroError) {
            try d.writeLock.withLock { (_: inout ()) throws(OuroError) in
                d.pool.handOff(moved)
                try d.tx.write(moved, .nonBlocking)
            }
            d.peerSet.notify(d.flowID, .packet)
        } catch {
            d.pool.adopt(moved)
            try? d.pool.release(moved)
        }
        return true
    }
}

extension Flow {
    /// Frees every packet waiting in this flow's receive ring (their destination is gone).
    public func discardPending() {
        guard let rt = try? FlowRuntime.get(announce: false), let e = try? rt.endpoint(fd) else { return }
        e.readLock.withLock { _ in
            while let offset = try? e.rx.read(.nonBlocking) {
                e.pool.adopt(offset)
                try? e.pool.release(offset)
            }
        }
    }
}

extension FlowRuntime {
    /// The per-user pool of `uid`, opened once.
    func userPool(uid: UInt32) throws(OuroError) -> PacketPool {
        try userPools.withLock { (p: inout [UInt32: PacketPool]) throws(OuroError) -> PacketPool in
            if let pool = p[uid] { return pool }
            let pool = try PacketPool.openUser(in: instance, uid: uid)
            p[uid] = pool
            return pool
        }
    }
}

/// Packet-level access for IPCPs: layers prepend and strip their headers in
/// place, in the block's head and tail room, and packets cross between an
/// application's per-user pool and the global pool with exactly one copy.
extension Flow {
    /// The next packet the application wrote on this N+1 flow, as a block of
    /// this process's pool (copied once out of a per-user pool). The caller
    /// owns the block: it passes it on with `writePacket` or frees it with
    /// `releasePacket`.
    public func readPacket(_ mode: WaitMode = .forever) throws(OuroError) -> PacketBuffer {
        let rt = try FlowRuntime.get(announce: false)
        let e = try rt.endpoint(fd)
        let offset = try e.readLock.withLock { (_: inout ()) throws(OuroError) -> Int in try e.rx.read(mode) }
        e.pool.adopt(offset)
        if e.pool === rt.pool { return try rt.pool.buffer(at: offset) }
        return try e.pool.copy(offset, into: rt.pool, mode)
    }

    /// A fresh block of this process's pool for a `length`-byte packet.
    public static func allocatePacket(length: Int, _ mode: WaitMode = .forever) throws(OuroError) -> PacketBuffer {
        try FlowRuntime.get(announce: false).pool.allocate(length: length, mode)
    }

    /// Hands a block of this process's pool to the application at the other
    /// end of this N+1 flow (copied once into its per-user pool) and tells it.
    /// The block is consumed either way: on failure it is freed. Like `write`,
    /// at most the flow's send window is queued: beyond it the call waits
    /// (`EAGAIN` when non-blocking), so a fast receiver on a slow flow cannot
    /// take every block of the pool.
    public func writePacket(_ packet: PacketBuffer, _ mode: WaitMode = .forever) throws(OuroError) {
        let rt = try FlowRuntime.get(announce: false)
        let e: FlowEndpoint
        do {
            e = try rt.endpoint(fd)
            try e.tx.waitForRoom(below: e.sendWindow(length: packet.length), mode)
        } catch {
            try? rt.pool.release(packet.offset)
            throw error
        }
        var offset = packet.offset
        if e.pool !== rt.pool { offset = try rt.pool.copy(packet.offset, into: e.pool, mode).offset }
        do throws(OuroError) {
            try e.writeLock.withLock { (_: inout ()) throws(OuroError) in
                e.pool.handOff(offset)
                try e.tx.write(offset, mode)
            }
        } catch {
            e.pool.adopt(offset)
            try? e.pool.release(offset)
            throw error
        }
        e.peerSet.notify(e.flowID, .packet)
    }

    /// Frees a block this process owns.
    public static func releasePacket(_ packet: PacketBuffer) {
        guard let rt = try? FlowRuntime.get(announce: false) else { return }
        try? rt.pool.release(packet.offset)
    }
}
