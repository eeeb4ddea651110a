/// `fccntl`: per-flow settings and queries (spec host.md §4.4).
extension Flow {
    private func endpoint() throws(OuroError) -> FlowEndpoint { try FlowRuntime.get().endpoint(fd) }

    /// FLOWSRCVTIMEO / FLOWGRCVTIMEO: nil blocks forever.
    public func setReceiveTimeout(_ t: Duration?) throws(OuroError) {
        try endpoint().settings.withLock { $0.receiveTimeout = t }
    }

    public func receiveTimeout() throws(OuroError) -> Duration? {
        try endpoint().settings.withLock { $0.receiveTimeout }
    }

    /// FLOWSSNDTIMEO / FLOWGSNDTIMEO: nil blocks forever.
    public func setSendTimeout(_ t: Duration?) throws(OuroError) {
        try endpoint().settings.withLock { $0.sendTimeout = t }
    }

    public func sendTimeout() throws(OuroError) -> Duration? {
        try endpoint().settings.withLock { $0.sendTimeout }
    }

    /// FLOWGQOSSPEC.
    public func qos() throws(OuroError) -> QoSSpec { try endpoint().qos }

    /// FLOWGFLAGS.
    public func flags() throws(OuroError) -> FlowFlags { try endpoint().settings.withLock { $0.flags } }

    /// FLOWSFLAGS. Write-only makes our receive ring refuse the peer's packets;
    /// `.down` marks both rings down and tells the peer (FLOW_DOWN), without it
    /// both come back up (FLOW_UP). Unlike the reference, each ring keeps its own
    /// other bits.
    public func setFlags(_ flags: FlowFlags) throws(OuroError) {
        let e = try endpoint()
        e.settings.withLock { $0.flags = flags }
        if flags.access == FlowFlags.writeOnly.rawValue {
            e.rx.acl = e.rx.acl.union(.readOnly)
        } else {
            e.rx.acl = e.rx.acl.subtracting(.readOnly)
        }
        if flags.contains(.down) {
            e.rx.acl = e.rx.acl.union(.flowDown)
            e.tx.acl = e.tx.acl.union(.flowDown)
            e.peerSet.notify(e.flowID, .down)
        } else {
            e.rx.acl = e.rx.acl.subtracting(.flowDown)
            e.tx.acl = e.tx.acl.subtracting(.flowDown)
            e.peerSet.notify(e.flowID, .up)
        }
    }

    /// FLOWGRXQLEN: packets waiting to be read.
    public func receiveQueueLength() throws(OuroError) -> Int { try endpoint().rx.count }

    /// FLOWGTXQLEN: packets written that the peer has not read yet.
    public func sendQueueLength() throws(OuroError) -> Int { try endpoint().tx.count }

    /// The send queue as a writer of `length`-byte packets sees it: the
    /// packets queued and how many may be before a write blocks (a quarter
    /// of the pool's blocks of their size, at most the ring's capacity).
    public func sendQueue(length: Int) throws(OuroError) -> (queued: Int, window: Int) {
        let e = try endpoint()
        return (e.tx.count, e.sendWindow(length: length))
    }

    /// The flow id irmd assigned.
    public func flowID() throws(OuroError) -> Int { try endpoint().flowID }

    /// FRCTGFLAGS: what FRCT does on this flow; `EPERM` without FRCT.
    public func frctFlags() throws(OuroError) -> FRCTFlags {
        guard let f = try endpoint().frct else { throw OuroError.permission }
        return f.state.withLock { $0.snd.flags }
    }

    /// FRCTSFLAGS: `.resourceControl` and `.linger` as given; retransmission
    /// stays as the QoS chose it. `EPERM` without FRCT.
    public func setFRCTFlags(_ flags: FRCTFlags) throws(OuroError) {
        guard let f = try endpoint().frct else { throw OuroError.permission }
        f.state.withLock { $0.setFlags(flags) }
        f.windowChanged.broadcast()
    }

    /// The flow's FRCT counters and RTT state; `EPERM` without FRCT.
    public func frctStatistics() throws(OuroError) -> FRCTStatistics {
        guard let f = try endpoint().frct else { throw OuroError.permission }
        return f.state.withLock { $0.currentStatistics }
    }
}
