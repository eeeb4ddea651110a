#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation

/// How long to wait for a local acceptor before starting a bound program or
/// giving up (`IRMD_REQ_ARR_TIMEOUT`).
let acceptorWaitMilliseconds = 1000
/// The default allocation deadline (`FLOW_ALLOC_TIMEOUT`).
let defaultAllocMilliseconds = 20_000

extension IRMDaemon {
    /// The absolute deadline a request's relative `timeo` gives, or nil.
    func deadline(_ m: irm_msg) -> Deadline? {
        guard m.hasTimeo else { return nil }
        return Deadline.now.adding(nanoseconds: m.timeo.tvSec &* 1_000_000_000 &+ UInt64(m.timeo.tvNsec))
    }

    /// The flow_info of a reply.
    static func info(_ f: FlowEntry, nPid: Int32, n1Pid: Int32) -> flow_info_msg {
        var i = flow_info_msg()
        i.id = UInt32(f.id)
        i.nPid = UInt32(bitPattern: nPid)
        i.n1Pid = UInt32(bitPattern: n1Pid)
        i.mpl = f.mpl
        i.state = FlowState.allocated.rawValue
        i.qos = f.qos.message
        i.uid = f.uid
        return i
    }

    /// A flow reply with the negotiated cipher and key (spec host.md §7.10):
    /// `cipher_nid` always, `sym_key` only with a cipher.
    static func flowReply(_ info: flow_info_msg, key: FlowKey?) -> irm_msg {
        var r = IRMDaemon.reply()
        r.flowInfo = info
        r.cipherNid = Int32(key?.cipher.rawValue ?? 0)
        if let key { r.symKey = Data(key.key) }
        return r
    }

    /// The uid a process's flows carry: 0 for privileged processes (they use the global pool).
    func flowUID(_ p: ProcessEntry) -> UInt32 { shm.isPrivileged(uid: p.uid, gid: p.gid) ? 0 : p.uid }

    // MARK: allocation

    /// IRM_FLOW_ALLOC (spec host.md §3.7.1, §3.7.3). Unlike the reference, a name
    /// without local binding goes straight to the layers, without waiting 1 s for a
    /// local acceptor.
    func flowAlloc(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo && m.hasDst, .invalid, "Flow allocation without flow info or destination.")
        let pid = Int32(bitPattern: m.flowInfo.nPid)
        guard let proc = registry.process(pid: pid) else {
            log.error("Unknown process \(pid) allocating a flow.")
            throw OuroError.badDescriptor
        }
        guard let name = registry.name(m.dst) else {
            log.error("Failed to get name info for \(m.dst).")
            throw OuroError.name
        }
        let userDeadline = deadline(m)
        let deadline = userDeadline ?? .after(milliseconds: defaultAllocMilliseconds)
        let qos = QoSSpec(m.flowInfo.qos)
        let uid = flowUID(proc)
        log.info("Allocating flow for \(pid) to \(m.dst) (uid \(uid)).")
        do {
            if directIPC && (!name.processes.isEmpty || !name.autostart.isEmpty) {
                var candidate = waitForAcceptor(name.name, deadline: deadline)
                let window = min(deadline, .after(milliseconds: acceptorWaitMilliseconds))
                while let acceptor = candidate {
                    switch try directAlloc(pid: pid, uid: uid, qos: qos, name: name, acceptor: acceptor, deadline: deadline) {
                    case .allocated(let reply): return reply
                    case .otherPool: candidate = nil
                    case .lostRace: candidate = registry.waitForAcceptor(name: name.name, deadline: window)
                    }
                }
            }
            return try allocThroughIPCP(pid: pid, uid: uid, qos: qos, name: name, deadline: deadline)
        } catch let e {
            throw e == .timedOut && userDeadline == nil ? OuroError.permission : e
        }
    }

    /// Waits for an acceptor of `name`, starting its auto-start program if none
    /// shows up in time.
    func waitForAcceptor(_ name: String, deadline: Deadline) -> (pid: Int32, flowID: Int)? {
        let first = min(deadline, .after(milliseconds: acceptorWaitMilliseconds))
        if let a = registry.waitForAcceptor(name: name, deadline: first) { return a }
        guard let argv = registry.name(name)?.autostart.last else { return nil }
        do {
            let pid = try Spawner.spawn(argv: argv, environment: spawnEnvironment())
            registry.addSpawned(pid: pid)
            log.info("Starting \(argv[0]) for \(name).")
        } catch {
            log.error("Failed to start \(argv[0]) for \(name).")
            return nil
        }
        return registry.waitForAcceptor(name: name, deadline: min(deadline, .after(milliseconds: acceptorWaitMilliseconds)))
    }

    /// How a direct allocation attempt ended.
    enum DirectOutcome {
        case allocated(irm_msg)
        /// The acceptor uses another pool: go through an IPCP.
        case otherPool
        /// Another allocation took the acceptor's pending flow first.
        case lostRace
    }

    /// A flow between two local processes without an IPCP.
    private func directAlloc(pid: Int32, uid: UInt32, qos: QoSSpec, name: NameEntry,
                             acceptor: (pid: Int32, flowID: Int), deadline: Deadline) throws(OuroError) -> DirectOutcome {
        guard let b = registry.process(pid: acceptor.pid), flowUID(b) == uid else { return .otherPool }
        let oap = try prepareOAP(name)
        let flow: FlowEntry
        do {
            flow = try registry.assignAccept(flowID: acceptor.flowID, n1Pid: pid, qos: qos, mpl: 1,
                                             request: oap.request, name: name.name, direct: true)
        } catch {
            return .lostRace
        }
        do {
            try shm.createRings(flowID: flow.id, pids: [acceptor.pid, pid])
        } catch let e {
            log.error("Failed to prepare direct flow.")
            registry.directResponse(flowID: flow.id, data: nil)
            throw e
        }
        registry.ringsCreated(flowID: flow.id)
        let done = registry.waitFlow(id: flow.id, deadline: deadline) { $0.responseData != nil || $0.state != .allocated }
        guard let f = done, f.state == .allocated, let rsp = f.responseData else {
            log.error(done == nil || done?.state != .allocated ? "OAP completion failed for \(name.name)."
                                                                 : "Timeout waiting for OAP response.")
            throw OuroError.crypt
        }
        let key: FlowKey?
        do {
            key = try self.oap.complete(oap, response: rsp)
        } catch let e {
            log.error("OAP completion failed for \(name.name): \(e).")
            throw OuroError.crypt
        }
        log.info("Flow \(f.id) allocated (direct) for \(pid) to \(name.name).")
        return .allocated(IRMDaemon.flowReply(IRMDaemon.info(f, nPid: pid, n1Pid: acceptor.pid), key: key))
    }

    /// The first enrolled IPCP (registry order, broadcast skipped) that can reach `name`.
    func selectIPCP(for name: String) -> IPCPEntry? {
        for ipcp in registry.ipcpList() where ipcp.type != .broadcast && ipcp.isEnrolled {
            var q = ipcp_msg()
            q.code = .ipcpQuery
            q.hash = Data(ipcp.hashAlgorithm.digest(name: name))
            if (try? ipcps.call(q, to: ipcp.pid)) != nil { return ipcp }
        }
        return nil
    }

    private func allocThroughIPCP(pid: Int32, uid: UInt32, qos: QoSSpec, name: NameEntry,
                                  deadline: Deadline) throws(OuroError) -> irm_msg {
        guard let ipcp = selectIPCP(for: name.name) else {
            log.error("Failed to find IPCP for \(name.name).")
            throw OuroError.ipcp
        }
        let oap = try prepareOAP(name)
        let id = try reserveFlow(pid: pid, qos: qos, uid: uid, through: ipcp, purpose: "allocation")
        var req = ipcp_msg()
        req.code = .ipcpFlowAlloc
        req.flowID = Int32(id)
        req.pid = pid
        req.uid = uid
        req.qosspec = qos.message
        req.hash = Data(ipcp.hashAlgorithm.digest(name: name.name))
        req.pk = Data(oap.request)
        do {
            _ = try ipcps.call(req, to: ipcp.pid)
        } catch let e {
            log.error("Flow allocation \(id) failed.")
            dropFlow(id)
            throw e == .ipcp ? e : OuroError.ipcp
        }
        let f = registry.waitFlow(id: id, deadline: deadline) { $0.state != .allocPending }
        guard let flow = f, flow.state == .allocated else {
            dropFlow(id)
            if let f, f.state == .allocPending {
                log.error("Flow allocation timed out.")
                throw OuroError.timedOut
            }
            let response = f?.response ?? 0
            log.warning("Allocation rejected: \(name.name) (\(response)).")
            throw response < 0 ? OuroError(result: response) : OuroError.ipcp
        }
        let key: FlowKey?
        do {
            key = try self.oap.complete(oap, response: flow.responseData ?? [])
        } catch let e {
            log.error("OAP completion failed for \(name.name): \(e).")
            _ = try? deallocate(flowID: id, pid: pid, linger: 0)
            throw OuroError.crypt
        }
        return IRMDaemon.flowReply(IRMDaemon.info(flow, nPid: pid, n1Pid: ipcp.pid), key: key)
    }

    /// The OAP request of an allocation to `name`; a failure ends the
    /// allocation (spec host.md §7.3: `EBADF`, or `ENOTSUP` for an algorithm
    /// this implementation lacks).
    /// A new flow of `pid` through `ipcp`, pending, with its rings made.
    func reserveFlow(pid: Int32, qos: QoSSpec, uid: UInt32, through ipcp: IPCPEntry,
                     purpose: String) throws(OuroError) -> Int {
        let id: Int
        do {
            id = try registry.createFlow(nPid: pid, qos: qos, uid: uid)
            try registry.prepareAlloc(flowID: id, n1Pid: ipcp.pid)
        } catch let e {
            log.error("Failed to create flow.")
            throw e.ouroError
        }
        do {
            try shm.createRings(flowID: id, pids: [pid, ipcp.pid])
        } catch let e {
            log.error("Failed to prepare flow \(purpose).")
            registry.destroyFlow(id: id)
            throw e
        }
        return id
    }

    private func prepareOAP(_ name: NameEntry) throws(OuroError) -> OAP.ClientState {
        do {
            return try oap.request(name: name.name, client: name.client)
        } catch let e {
            log.error("Failed to prepare OAP request for \(name.name): \(e).")
            throw e.preparationResult
        }
    }

    /// Destroys a flow's rings, then its record (freeing the id only once the
    /// ring names are free again).
    func dropFlow(_ id: Int) {
        guard let f = registry.flow(id: id) else { return }
        shm.destroyRings(flowID: id, pids: [f.nPid, f.n1Pid], uid: f.uid)
        registry.destroyFlow(id: id)
    }

    // MARK: accept

    /// IRM_FLOW_ACCEPT (spec host.md §3.7.2).
    func flowAccept(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo, .invalid, "Flow accept without flow info.")
        let pid = Int32(bitPattern: m.flowInfo.nPid)
        guard let proc = registry.process(pid: pid) else {
            log.error("Unknown process \(pid) calling accept.")
            throw OuroError.invalid
        }
        let id: Int
        do {
            id = try registry.createFlow(nPid: pid, qos: .raw, uid: flowUID(proc))
            try registry.prepareAccept(flowID: id)
        } catch let e {
            log.error("Failed to create flow.")
            throw e.ouroError
        }
        let f = registry.waitFlow(id: id, deadline: deadline(m)) {
            $0.state != .acceptPending && ($0.state != .allocated || $0.ringsReady)
        }
        registry.endAccept(pid: pid)
        guard let flow = f, flow.state == .allocated, let name = flow.name else {
            dropFlow(id)
            if f?.state == .acceptPending {
                log.error("Flow accept timed out.")
                throw OuroError.timedOut
            }
            throw OuroError.pipe
        }
        let server = registry.name(name)?.server ?? SecurityPaths()
        let response: [UInt8], key: FlowKey?
        do {
            (response, key) = try oap.respond(to: flow.requestData, name: name, server: server)
        } catch let e {
            log.error("OAP processing failed for \(name): \(e).")
            if flow.direct {
                registry.directResponse(flowID: id, data: nil)
                dropFlow(id)
            } else {
                _ = try? allocResponse(flow, pid: pid, response: e.serverResult.result, pk: nil)
                dropFlow(id)
            }
            throw e.serverResult
        }
        if let key { log.info("Flow \(id) encrypted with \(key.cipher.name).") }
        if flow.direct {
            registry.directResponse(flowID: id, data: response)
            log.info("Flow \(id) accepted (direct) by \(pid) for \(name).")
        } else {
            do {
                try allocResponse(flow, pid: pid, response: 0, pk: response)
            } catch let e {
                log.error("Failed to respond to flow allocation.")
                dropFlow(id)
                throw e
            }
            log.info("Flow \(id) accepted by \(pid) for \(name) (uid \(flow.uid)).")
        }
        return IRMDaemon.flowReply(IRMDaemon.info(flow, nPid: pid, n1Pid: flow.n1Pid), key: key)
    }

    private func allocResponse(_ f: FlowEntry, pid: Int32, response: Int32, pk: [UInt8]?) throws(OuroError) {
        var r = ipcp_msg()
        r.code = .ipcpFlowAllocResp
        r.flowID = Int32(f.id)
        r.pid = pid
        r.uid = f.uid
        r.response = response
        if let pk { r.pk = Data(pk) }
        _ = try ipcps.call(r, to: f.n1Pid)
    }

    // MARK: upcalls from IPCPs

    /// IPCP_FLOW_REQ_ARR: a remote request for a local name arrived at an IPCP.
    func flowRequestArrived(_ m: irm_msg, peer: ControlServer.Peer) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo && m.hasHash, .invalid, "Flow request without flow info or hash.")
        let ipcpPid = Int32(bitPattern: m.flowInfo.n1Pid)
        let ipcp = try registeredIPCP(ipcpPid, "No IPCP with pid \(ipcpPid).")
        let hash = [UInt8](m.hash)
        guard let name = registry.name(hash: hash, algorithm: ipcp.hashAlgorithm) else {
            log.warning("No name for \(hash.hashPrefix).")
            throw OuroError.name
        }
        log.info("Flow request arrived for \(name).")
        var candidate = waitForAcceptor(name, deadline: .after(milliseconds: 2 * acceptorWaitMilliseconds))
        let window = Deadline.after(milliseconds: acceptorWaitMilliseconds)
        while let acceptor = candidate {
            if let flow = try? registry.assignAccept(flowID: acceptor.flowID, n1Pid: ipcpPid, qos: QoSSpec(m.flowInfo.qos),
                                                    mpl: m.flowInfo.mpl, request: [UInt8](m.pk), name: name,
                                                    direct: false) {
                do {
                    try shm.createRings(flowID: flow.id, pids: [acceptor.pid, ipcpPid])
                } catch let e {
                    log.error("Failed to respond to flow \(flow.id).")
                    registry.directResponse(flowID: flow.id, data: nil)
                    throw e
                }
                registry.ringsCreated(flowID: flow.id)
                var r = IRMDaemon.reply()
                r.flowInfo = IRMDaemon.info(flow, nPid: acceptor.pid, n1Pid: ipcpPid)
                return r
            }
            candidate = registry.waitForAcceptor(name: name, deadline: window)
        }
        log.error("No active process for \(name).")
        throw OuroError.failure
    }

    /// IPCP_FLOW_ALLOC_REPLY: the remote side answered an allocation.
    func flowAllocReply(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo && m.hasResponse, .invalid, "Allocation reply without flow info or response.")
        do {
            try registry.allocReply(flowID: Int(m.flowInfo.id), response: m.response, mpl: m.flowInfo.mpl, data: [UInt8](m.pk))
        } catch {
            log.error("Allocation reply for unknown or deallocated flow \(m.flowInfo.id).")
            throw OuroError.badDescriptor
        }
        return IRMDaemon.reply()
    }

    // MARK: deallocation

    /// IRM_FLOW_DEALLOC from an application; `timeo.tv_sec` is how long the IPCP lingers.
    func flowDealloc(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo, .invalid, "Flow deallocation without flow info.")
        let id = Int(m.flowInfo.id)
        let pid = Int32(bitPattern: m.flowInfo.nPid)
        let linger = m.hasTimeo ? UInt32(truncatingIfNeeded: m.timeo.tvSec) : 0
        try deallocate(flowID: id, pid: pid, linger: linger)
        return IRMDaemon.reply()
    }

    /// Deallocates flow `flowID` on behalf of `pid`.
    func deallocate(flowID id: Int, pid: Int32, linger: UInt32) throws(OuroError) {
        let outcome: Registry.DeallocOutcome
        do {
            outcome = try registry.deallocate(flowID: id, pid: pid)
        } catch {
            log.error("Failed to deallocate flow \(id) for process \(pid).")
            throw OuroError.ipcp
        }
        log.info("Deallocating flow \(id) for process \(pid) (timeout: \(linger) s).")
        switch outcome {
        case .forwardToIPCP(let ipcp):
            guard registry.ipcp(pid: ipcp) != nil else {
                dropFlow(id)
                return
            }
            var r = ipcp_msg()
            r.code = .ipcpFlowDealloc
            r.flowID = Int32(id)
            r.timeoSec = linger
            _ = try? ipcps.send(r, to: ipcp)
        case .directHalf:
            if let f = registry.flow(id: id) { shm.flowDown(flowID: id, pids: [f.nPid, f.n1Pid], notify: f.nPid == pid ? f.n1Pid : f.nPid) }
        case .directDone:
            dropFlow(id)
            log.info("Completed deallocation of flow_id \(id) by process \(pid).")
        }
    }

    /// IPCP_FLOW_DEALLOC: the IPCP finished tearing a flow down.
    func ipcpFlowDealloc(_ m: irm_msg, peer: ControlServer.Peer) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo, .invalid, "IPCP deallocation without flow info.")
        let id = Int(m.flowInfo.id)
        guard let f = registry.flow(id: id),
              let ipcp = [f.n1Pid, f.nPid].first(where: { registry.ipcp(pid: $0) != nil }),
              (try? registry.ipcpDeallocated(flowID: id, ipcp: ipcp)) != nil else {
            log.error("IPCP deallocation of unknown flow \(id).")
            throw OuroError.badDescriptor
        }
        dropFlow(id)
        log.info("Completed deallocation of flow_id \(id) by process \(ipcp).")
        return IRMDaemon.reply()
    }
}
