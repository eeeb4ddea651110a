#if canImport(Glibc)
import Glibc
#endif

extension FlowRuntime {
    /// How often flows with a peer timeout are checked.
    static let keepaliveTickMicroseconds: UInt32 = 50_000

    /// Starts the thread that sends keepalives and detects silent peers
    /// (spec host.md §4.9), once.
    func startKeepalive() {
        let start = table.withLock { t -> Bool in
            defer { t.keepaliveRunning = true }
            return !t.keepaliveRunning
        }
        guard start else { return }
        startThread { [self] in
            while true {
                usleep(FlowRuntime.keepaliveTickMicroseconds)
                keepaliveTick(now: .now)
            }
        }
    }

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

    private func sendKeepalive(_ e: FlowEndpoint) {
        guard let buf = try? e.pool.allocate(length: 0, .nonBlocking) else { return }
        e.writeLock.withLock { _ in
            e.pool.handOff(buf.offset)
            do {
                try e.tx.write(buf.offset, .nonBlocking)
                e.peerSet.notify(e.flowID, .packet)
            } catch {
                e.pool.adopt(buf.offset)
                try? e.pool.release(buf.offset)
            }
        }
    }
}
