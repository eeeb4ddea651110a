#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// This process's side of Ouroboros: announced to irmd on first use, its packet
/// pool, its flow sets and the table of mapped flows (spec host.md §4.1–§4.2).
/// Unlike the reference, a missing irmd does not end the program: every call
/// fails with `EIRMD` instead.
final class FlowRuntime: Sendable {
    /// The first descriptor handed out (`PROG_RES_FDS`) and the limit (`PROG_MAX_FLOWS`).
    static let firstFD: Int32 = 64
    static let maxFDs: Int32 = 4096

    let instance: Instance
    let pid: Int32
    let pool: PacketPool
    let flowSets: FlowSet
    /// Whether this runtime announced the process (IPCPs announce themselves).
    let announced: Bool
    /// Per-user pools an IPCP opened for the flows of unprivileged applications.
    let userPools = Mutex<[UInt32: PacketPool]>([:])

    struct Table: Sendable {
        var endpoints: [Int32: FlowEndpoint] = [:]
        var fdByFlowID: [Int: Int32] = [:]
        var setIndices: Set<Int> = []
        /// The flow service thread runs (see FlowService.swift).
        var serviceRunning = false
        /// Flows with FRCT.
        var frctFlows = 0
    }
    let table = Mutex(Table())
    /// The FRCT timer wheels of all flows.
    let timers = FRCTTimers()

    private static let current = Mutex<FlowRuntime?>(nil)

    /// The runtime, announcing this process to irmd the first time (unless
    /// `announce` is false: an IPCP daemon announces itself).
    static func get(announce: Bool = true) throws(OuroError) -> FlowRuntime {
        try current.withLock { (r: inout FlowRuntime?) throws(OuroError) -> FlowRuntime in
            if let rt = r { return rt }
            let rt = try FlowRuntime(instance: .current, announce: announce)
            r = rt
            atexit { FlowRuntime.exitHook() }
            return rt
        }
    }

    private init(instance: Instance, announce: Bool) throws(OuroError) {
        self.instance = instance
        pid = getpid()
        announced = announce
        if announce {
            var m = irm_msg()
            m.code = .irmProcAnnounce
            m.pid = pid
            m.prog = FlowRuntime.programName()
            let reply = try ControlChannel.irmd(m, instance: instance)
            guard reply.result >= 0 else { throw OuroError.irmd }
        }
        do {
            pool = FlowRuntime.isPrivileged() ? try PacketPool.openGlobal(in: instance)
                                              : try PacketPool.openUser(in: instance, uid: getuid())
            flowSets = try FlowSet.open(in: instance, pid: pid)
        } catch let e {
            if announce { FlowRuntime.sendExit(instance: instance, pid: pid) }
            throw e
        }
    }

    /// The basename of argv[0] (of argv[1] for python interpreters), at most 255 bytes.
    static func programName() -> String {
        let args = CommandLine.arguments
        var name = args.first.map { String($0.split(separator: "/").last ?? "") } ?? "unknown"
        if ["python", "python2", "python3"].contains(name), args.count > 1 {
            name = String(args[1].split(separator: "/").last ?? "")
        }
        return String(decoding: Array(name.utf8.prefix(255)), as: UTF8.self)
    }

    /// Root and members of group `ouroboros` use the global pool.
    static func isPrivileged() -> Bool {
        if geteuid() == 0 { return true }
        guard let g = PacketPool.ouroborosGroup() else { return false }
        if getegid() == g { return true }
        var groups = [gid_t](repeating: 0, count: 256)
        let n = getgroups(Int32(groups.count), &groups)
        return n > 0 && groups.prefix(Int(n)).contains(g)
    }

    private static func sendExit(instance: Instance, pid: Int32) {
        var m = irm_msg()
        m.code = .irmProcExit
        m.pid = pid
        _ = try? ControlChannel.irmd(m, instance: instance)
    }

    /// At exit: every flow goes down (peers are told), queued packets are freed,
    /// and irmd hears that this process is gone.
    private static func exitHook() {
        guard let rt = current.withLock({ $0 }) else { return }
        for e in rt.table.withLock({ Array($0.endpoints.values) }) { rt.unmap(e) }
        if rt.announced { sendExit(instance: rt.instance, pid: rt.pid) }
    }

    // MARK: flow table

    /// The endpoint of `fd`; `EBADF` outside the descriptor range, `ENOTALLOC` if unused.
    func endpoint(_ fd: Int32) throws(OuroError) -> FlowEndpoint {
        guard fd >= 0 && fd < FlowRuntime.maxFDs else { throw OuroError.badDescriptor }
        guard let e = table.withLock({ $0.endpoints[fd] }) else { throw OuroError.notAllocated }
        return e
    }

    /// The descriptor of flow `flowID`, if mapped.
    func fd(flowID: Int) -> Int32? { table.withLock { $0.fdByFlowID[flowID] } }

    /// Maps a flow: reads from this process's ring, writes to the peer's, tells
    /// the peer's flow sets. `pool` overrides this process's pool (IPCPs serving
    /// a per-user pool); `cipher` encrypts the flow's packets; `roundTrip`
    /// (ns) is FRCT's first RTT estimate when known.
    func map(flowID: Int, peerPid: Int32, qos: QoSSpec, mpl: UInt32, pool: PacketPool? = nil,
             cipher: FlowCipher? = nil, roundTrip: Int64? = nil) throws(OuroError) -> Int32 {
        let rx: RingBuffer, tx: RingBuffer, peerSet: FlowSet
        do {
            rx = try RingBuffer.open(in: instance, pid: pid, flowID: flowID)
            tx = try RingBuffer.open(in: instance, pid: peerPid, flowID: flowID)
            peerSet = try FlowSet.open(in: instance, pid: peerPid)
        } catch {
            throw OuroError.noMemory
        }
        let pool = pool ?? self.pool
        let fd = try table.withLock { (t: inout Table) throws(OuroError) -> Int32 in
            guard let fd = (FlowRuntime.firstFD..<FlowRuntime.maxFDs).first(where: { t.endpoints[$0] == nil }) else {
                throw OuroError.badDescriptor
            }
            let frct = qos.inOrder != 0 ? FRCTInstance(qos: qos, mplMilliseconds: mpl, roundTrip: roundTrip) : nil
            t.endpoints[fd] = FlowEndpoint(fd: fd, flowID: flowID, peerPid: peerPid, qos: qos, mpl: mpl,
                                           rx: rx, tx: tx, peerSet: peerSet, pool: pool, frct: frct, cipher: cipher)
            t.fdByFlowID[flowID] = fd
            if frct != nil { t.frctFlows += 1 }
            return fd
        }
        if qos.inOrder != 0 {
            // FRCT flows live in internal set 0 (serviced by the flow service
            // thread) until the application puts them in a set of its own.
            try? flowSets.add(flowID, to: FlowRuntime.internalSet)
            startService()
            flowSets.notify(flowID, .packet)
        } else if qos.timeout != 0 {
            startService()
        }
        return fd
    }

    /// Unmaps a flow: both rings go down, what is queued for us is freed and the
    /// peer is told the flow is gone.
    func unmap(_ e: FlowEndpoint) {
        let present = table.withLock { t -> Bool in
            guard t.endpoints[e.fd] === e else { return false }
            t.endpoints[e.fd] = nil
            t.fdByFlowID[e.flowID] = nil
            if e.frct != nil { t.frctFlows -= 1 }
            return true
        }
        guard present else { return }
        e.rx.acl = e.rx.acl.union(.flowDown)
        e.tx.acl = e.tx.acl.union(.flowDown)
        let partial = e.settings.withLock { s -> Int? in
            defer { s.partial = nil }
            return s.partial?.offset
        }
        if let p = partial { try? e.pool.release(p) }
        for offset in e.rx.drain() {
            e.pool.adopt(offset)
            try? e.pool.release(offset)
        }
        if let f = e.frct {
            for offset in f.state.withLock({ $0.removeQueued() }) { try? e.pool.release(offset) }
            f.windowChanged.broadcast()
        }
        if let set = flowSets.set(of: e.flowID) { flowSets.remove(e.flowID, from: set) }
        e.peerSet.notify(e.flowID, .dealloc)
    }

    // MARK: flow sets

    /// Takes a free set index (1...31); index 0 is reserved.
    func allocateSetIndex() throws(OuroError) -> Int {
        try table.withLock { (t: inout Table) throws(OuroError) -> Int in
            guard let i = (1..<FlowSet.setCount).first(where: { !t.setIndices.contains($0) }) else {
                throw OuroError.noMemory
            }
            t.setIndices.insert(i)
            return i
        }
    }

    func releaseSetIndex(_ i: Int) {
        flowSets.zero(i)
        _ = table.withLock { $0.setIndices.remove(i) }
    }
}

/// This process as an Ouroboros application.
public enum OuroborosProcess {
    /// Announces the process to irmd now rather than at its first flow call
    /// (so that it can be bound to names before it accepts). `EIRMD` without irmd.
    public static func start() throws(OuroError) { _ = try FlowRuntime.get() }

    /// Opens this process's side without announcing it: for an IPCP daemon,
    /// which announced itself, before it uses flows as an application of the
    /// layers below (`Flow.allocate`, `Flow.accept`).
    public static func attachAsIPCP() throws(OuroError) { _ = try FlowRuntime.get(announce: false) }
}
