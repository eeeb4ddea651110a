/// The one service thread of a process (spec host.md §6.10), started with its
/// first flow that needs it and never more than one: it takes the packets of
/// FRCT flows that sit in no application flow set (internal set 0) through
/// FRCT, so acknowledgements and window updates are seen while nobody reads;
/// advances the FRCT timer wheels; and runs the keepalive pass (§4.9).
/// It sleeps on set 0: one FRCT tick (5 ms) while FRCT flows exist, a
/// keepalive tick (50 ms) otherwise.
extension FlowRuntime {
    /// The set FRCT flows are in while the application has them in none.
    static let internalSet = 0

    func startService() {
        let start = table.withLock { t -> Bool in
            defer { t.serviceRunning = true }
            return !t.serviceRunning
        }
        guard start else { return }
        startThread { [self] in serviceLoop() }
    }

    private func serviceLoop() {
        var lastKeepalive = Deadline.now
        while true {
            let frct = table.withLock { $0.frctFlows } > 0
            let tick = frct ? UInt64(FRCTState.tick) : FlowRuntime.keepaliveTickNanoseconds
            if let events = try? flowSets.wait(FlowRuntime.internalSet, .until(Deadline.now.adding(nanoseconds: tick))) {
                for ev in events { service(ev) }
            }
            advanceFRCTTimers()
            let now = Deadline.now
            if now.nanoseconds >= lastKeepalive.nanoseconds + FlowRuntime.keepaliveTickNanoseconds {
                keepaliveTick(now: now)
                lastKeepalive = now
            }
        }
    }

    /// One event on set 0: packets go through FRCT unless a reader is at it;
    /// the flow going away wakes its blocked writers.
    private func service(_ ev: FlowEvent) {
        guard let fd = fd(flowID: ev.flowID), let e = try? endpoint(fd), let f = e.frct else { return }
        if ev.type.contains(.packet) {
            _ = e.readLock.withLockIfAvailable { _ in pumpFRCT(e, f, wait: false) }
        }
        if !ev.type.intersection([.down, .dealloc, .peer]).isEmpty { f.windowChanged.broadcast() }
    }
}
