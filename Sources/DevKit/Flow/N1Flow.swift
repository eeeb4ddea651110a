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
    public func release() {
        guard let rt = try? FlowRuntime.get(announce: false), let e = try? rt.endpoint(fd) else { return }
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
