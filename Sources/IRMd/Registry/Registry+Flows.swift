import DevKit

extension Registry {
    /// Creates a flow record in INIT with the lowest free id (1...10239).
    func createFlow(nPid: Int32, qos: QoSSpec, uid: UInt32) throws(RegistryError) -> Int {
        try update { (s: inout State) throws(RegistryError) -> Int in
            guard let id = (1..<Registry.maxFlows).first(where: { s.flows[$0] == nil }) else { throw .noFlowIDs }
            s.flows[id] = FlowEntry(id: id, nPid: nPid, uid: uid, qos: qos)
            return id
        }
    }

    func flow(id: Int) -> FlowEntry? { read { $0.flows[id] } }

    /// Forgets a flow record and returns it.
    @discardableResult
    func destroyFlow(id: Int) -> FlowEntry? {
        try? update { (s: inout State) throws(RegistryError) -> FlowEntry? in s.flows.removeValue(forKey: id) }
    }

    /// INIT → ACCEPT_PENDING: the flow's process waits for a flow on any of its names.
    func prepareAccept(flowID: Int) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard let f = s.flows[flowID], f.state == .initial else { throw .wrongState }
            guard let p = s.processes[f.nPid] else { throw .notFound }
            s.flows[flowID]!.state = .acceptPending
            for n in p.names where s.names[n] != nil { Registry.markActive(&s.names[n]!, pid: f.nPid) }
        }
    }

    /// Ends an accept (allocated, timed out or cancelled): removes one active entry
    /// of the acceptor from every name.
    func endAccept(pid: Int32) {
        _ = try? update { (s: inout State) throws(RegistryError) in
            for n in s.names.keys {
                if let i = s.names[n]!.active.firstIndex(of: pid) { s.names[n]!.active.remove(at: i) }
            }
        }
    }

    /// The acceptor for `name`: the first active pid and its pending accept flow
    /// with the lowest id.
    func acceptor(name: String) -> (pid: Int32, flowID: Int)? {
        read { s in Registry.acceptor(in: s, name: name) }
    }

    private static func acceptor(in s: State, name: String) -> (pid: Int32, flowID: Int)? {
        guard let n = s.names[name] else { return nil }
        for pid in n.active {
            let pending = s.flows.values.filter { $0.nPid == pid && $0.state == .acceptPending }.map(\.id)
            if let id = pending.min() { return (pid, id) }
        }
        return nil
    }

    /// Waits until `name` has an acceptor or `deadline` passes.
    func waitForAcceptor(name: String, deadline: Deadline) -> (pid: Int32, flowID: Int)? {
        var found: (pid: Int32, flowID: Int)?
        _ = wait(until: deadline) { s in
            found = Registry.acceptor(in: s, name: name)
            return found != nil || s.names[name] == nil
        }
        return found
    }

    /// INIT → ALLOC_PENDING through the IPCP `n1Pid`.
    func prepareAlloc(flowID: Int, n1Pid: Int32) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.flows[flowID]?.state == .initial else { throw .wrongState }
            s.flows[flowID]!.state = .allocPending
            s.flows[flowID]!.n1Pid = n1Pid
        }
    }

    /// ACCEPT_PENDING → ALLOCATED: a request arrived (through an IPCP, or directly
    /// from the local process `n1Pid`).
    func assignAccept(flowID: Int, n1Pid: Int32, qos: QoSSpec, mpl: UInt32, request: [UInt8], name: String,
                      direct: Bool) throws(RegistryError) -> FlowEntry {
        try update { (s: inout State) throws(RegistryError) -> FlowEntry in
            guard s.flows[flowID]?.state == .acceptPending else { throw .wrongState }
            s.flows[flowID]!.state = .allocated
            s.flows[flowID]!.n1Pid = n1Pid
            s.flows[flowID]!.qos = qos
            s.flows[flowID]!.mpl = mpl
            s.flows[flowID]!.requestData = request
            s.flows[flowID]!.name = name
            s.flows[flowID]!.direct = direct
            return s.flows[flowID]!
        }
    }

    /// ALLOC_PENDING → ALLOCATED (response 0) or DEALLOCATED (negative response).
    func allocReply(flowID: Int, response: Int32, mpl: UInt32, data: [UInt8]) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.flows[flowID]?.state == .allocPending else { throw .wrongState }
            s.flows[flowID]!.response = response
            s.flows[flowID]!.responseData = data
            if response == 0 {
                guard mpl != 0 else { throw .invalid }
                s.flows[flowID]!.state = .allocated
                s.flows[flowID]!.mpl = mpl
            } else {
                s.flows[flowID]!.state = .deallocated
            }
        }
    }

    /// The rings of an accepted flow were created: its acceptor may go on.
    func ringsCreated(flowID: Int) {
        _ = try? update { (s: inout State) throws(RegistryError) in s.flows[flowID]?.ringsReady = true }
    }

    /// Stores the accepting side's response of a direct flow (nil: it failed).
    func directResponse(flowID: Int, data: [UInt8]?) {
        _ = try? update { (s: inout State) throws(RegistryError) in
            guard s.flows[flowID] != nil else { return }
            if let d = data {
                s.flows[flowID]!.responseData = d
            } else {
                s.flows[flowID]!.state = .deallocated
            }
        }
    }

    /// Waits until the flow satisfies `predicate`, vanishes, or `deadline` passes.
    /// Returns the flow as it then is (nil when gone).
    func waitFlow(id: Int, deadline: Deadline?, _ predicate: @escaping (FlowEntry) -> Bool) -> FlowEntry? {
        _ = wait(until: deadline) { s in s.flows[id].map(predicate) ?? true }
        return flow(id: id)
    }

    /// What a deallocation request leads to.
    enum DeallocOutcome: Equatable {
        /// Tell the IPCP with this pid to tear the flow down (it confirms later).
        case forwardToIPCP(Int32)
        /// One endpoint of a direct flow left; the other still holds it.
        case directHalf
        /// The last endpoint of a direct flow left: destroy its rings, then the
        /// record (which keeps the id until then, so no new flow reuses the
        /// ring names meanwhile).
        case directDone(FlowEntry)
    }

    /// IRM_FLOW_DEALLOC from `pid`.
    func deallocate(flowID: Int, pid: Int32) throws(RegistryError) -> DeallocOutcome {
        try update { (s: inout State) throws(RegistryError) -> DeallocOutcome in
            guard let f = s.flows[flowID], f.nPid == pid || f.n1Pid == pid else { throw .notFound }
            guard f.state == .allocated || f.state == .deallocPending else { throw .wrongState }
            if f.direct {
                if !f.gone.contains(pid) { s.flows[flowID]!.gone.append(pid) }
                if s.flows[flowID]!.gone.count >= 2 {
                    s.flows[flowID]!.state = .deallocated
                    return .directDone(s.flows[flowID]!)
                }
                s.flows[flowID]!.state = .deallocPending
                s.flows[flowID]!.name = nil
                return .directHalf
            }
            s.flows[flowID]!.state = .deallocPending
            s.flows[flowID]!.name = nil
            return .forwardToIPCP(f.n1Pid)
        }
    }

    /// IPCP_FLOW_DEALLOC: the IPCP finished tearing the flow down. The record
    /// stays DEALLOCATED until its rings are gone (`destroyFlow`).
    func ipcpDeallocated(flowID: Int, ipcp: Int32) throws(RegistryError) -> FlowEntry {
        try update { (s: inout State) throws(RegistryError) -> FlowEntry in
            guard let f = s.flows[flowID], f.n1Pid == ipcp || f.nPid == ipcp else { throw .notFound }
            s.flows[flowID]!.state = .deallocated
            return f
        }
    }
}
