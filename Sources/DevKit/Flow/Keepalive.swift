extension FlowRuntime {
    /// How often flows with a peer timeout are checked.
    static let keepaliveTickNanoseconds: UInt64 = 50_000_000

    /// One pass: a flow silent for longer than its timeout is marked FLOWPEER and
    /// reported on our own flow sets; a flow we have not written to for a
    /// quarter of it gets a keepalive (a zero-length packet). Packets waiting in
    /// the receive ring count as activity, so a busy reader is never declared dead.
    func keepaliveTick(now: Deadline) {
        for e in table.withLock({ Array($0.endpoints.values) }) where e.qos.timeout != 0 {
            if !e.rx.acl.intersection([.flowDown, .flowPeer]).isEmpty { continue }
            let timeoutNs = UInt64(e.qos.timeout) * 1_000_000
            let waiting = e.rx.count > 0
            let (silent, idle) = e.settings.withLock { s -> (Bool, Bool) in
                if waiting { s.lastReceive = now }
                let silent = now.nanoseconds > s.lastReceive.nanoseconds + timeoutNs
                let idle = now.nanoseconds > s.lastSend.nanoseconds + timeoutNs / 4
                if idle { s.lastSend = now }
                return (silent, idle)
            }
            if silent {
                e.rx.acl = e.rx.acl.union(.flowPeer)
                flowSets.notify(e.flowID, .peer)
            } else if idle {
                sendKeepalive(e)
            }
        }
    }

    /// A zero-length packet, no FRCT header. Skipped while a writer holds the
    /// flow (the service thread never waits for one); its packet is activity too.
    private func sendKeepalive(_ e: FlowEndpoint) {
        guard let buf = try? e.pool.allocate(length: 0, .nonBlocking) else { return }
        if e.writeLock.withLockIfAvailable({ _ in try? transmit(e, buf, .nonBlocking) }) == nil {
            try? e.pool.release(buf.offset)
        }
    }
}
