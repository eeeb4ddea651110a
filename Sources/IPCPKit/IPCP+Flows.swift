import DevKit

/// The flow upcalls the type-specific operations make (ipcps.md §2.8), with
/// the one-at-a-time serialisation of incoming allocations (§2.8.1).
extension IPCP {
    /// Reports an incoming allocation request for the name with digest `hash`
    /// to irmd and adds the resulting N+1 flow to the table. Only one incoming
    /// allocation is between this call and its `waitFlowResp` at a time: a
    /// second caller waits here. `prepare` runs with the new flow id before a
    /// FLOW_ALLOC_RESP for it can proceed (to pair or annotate the flow).
    /// Returns the new flow id; `.ipcpState` once the IPCP is not operational.
    public func waitFlowReqArr(hash: [UInt8], qos: QoSSpec, mpl: UInt32, pk: [UInt8],
                               prepare: (Int32) -> Void = { _ in }) throws(OuroError) -> Int32 {
        var claimed = false
        changed.wait {
            core.withLock { core in
                guard core.state == .operational else { return true }
                guard core.arrival == .idle else { return false }
                core.arrival = .requesting
                claimed = true
                return true
            }
        }
        guard claimed else {
            log.error("Won't allocate over non-operational IPCP.")
            throw OuroError.ipcpState
        }
        let flowID: Int32
        do throws(OuroError) {
            let info = try irmd.flowReqArr(hash: hash, qos: qos, mpl: mpl, pk: pk)
            flowID = Int32(bitPattern: info.id)
            try flows.add(N1Flow(flowID: flowID, pid: Int32(bitPattern: info.nPid), uid: 0))
        } catch {
            log.error("Failed to get fd for flow.")
            setArrival(.idle)
            throw error
        }
        prepare(flowID)
        setArrival(.pending(flowID))
        return flowID
    }

    /// Waits until `flowID` is the pending incoming allocation and clears it, so
    /// the next one may proceed. Every `flowAllocResp` starts with this.
    /// `.failure` once the IPCP is not operational.
    public func waitFlowResp(_ flowID: Int32) throws(OuroError) {
        var matched = false
        changed.wait {
            core.withLock { core in
                guard core.state == .operational else { return true }
                guard core.arrival == .pending(flowID) else { return false }
                core.arrival = .idle
                matched = true
                return true
            }
        }
        guard matched else { throw OuroError.failure }
        changed.broadcast()
    }

    /// Sends irmd the outcome of an allocation this IPCP started on `flowID`.
    public func flowAllocReply(flowID: Int32, response: Int32, mpl: UInt32, pk: [UInt8]) throws(OuroError) {
        try irmd.flowAllocReply(flowID: flowID, response: response, mpl: mpl, pk: pk)
    }

    /// Removes the N+1 flow `flowID` and tells irmd it is gone; the last step
    /// of every `flowDealloc`. `.notAllocated` for an unknown flow.
    public func releaseFlow(_ flowID: Int32) throws(OuroError) {
        guard let flow = flows.remove(flowID) else { throw OuroError.notAllocated }
        flow.releaseDataPath()
        try irmd.flowDeallocUpcall(flowID: flowID, n1PID: flow.pid)
    }

    private func setArrival(_ arrival: Arrival) {
        core.withLock { $0.arrival = arrival }
        changed.broadcast()
    }
}
