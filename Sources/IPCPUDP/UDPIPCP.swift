import DevKit
import IPCPKit
import Logging
import Synchronization

/// `ipcpd-udp4` / `ipcpd-udp6` (ipcps.md §4): a shim layer over one UDP
/// socket. Flows are multiplexed by a 4-byte endpoint id, which on this side
/// is the flow id; flow allocation is a FLOW_REQ / FLOW_REPLY exchange in
/// management datagrams (endpoint id 0); names resolve to IP addresses
/// through the hosts database or DDNS; deallocation is local.
public final class UDPIPCP: IPCPOperations {
    /// The MPL reported for UDP flows, in ms (`IPCP_UDP_MPL`).
    static let mpl: UInt32 = 5000
    /// Incoming allocations handled at once; further FLOW_REQs are dropped.
    static let maxPendingArrivals = 64

    let ipcp: IPCP
    let family: UDPFamily
    let log: Logger
    let flows = UDPFlows()
    let drops: DropCounters
    private let layer = Mutex<Layer?>(nil)
    private let arrivals = WorkerPool(minIdle: 1)
    private let pendingArrivals = Atomic<Int>(0)

    /// What exists once bootstrapped.
    struct Layer: Sendable {
        let config: UDPConfig
        let socket: UDPSocket
        let resolver: NameResolver
        let ddns: DynamicDNS?
        let management: ManagementQueue
        let reader: PacketReader
        let writer: PacketWriter
        let stopped: ThreadCount
    }

    public init(ipcp: IPCP, family: UDPFamily) {
        self.ipcp = ipcp
        self.family = family
        log = Logger(label: "ipcpd-\(family.name)")
        drops = DropCounters(log: log)
    }

    public let supportedOperations: Set<IPCPOperation> = [
        .bootstrap, .reg, .unreg, .query, .flowAlloc, .flowAllocResp, .flowDealloc,
    ]

    private var current: Layer? { layer.withLock { $0 } }

    private func operational() throws(OuroError) -> Layer {
        guard let l = current else { throw OuroError.ipcpState }
        return l
    }

    // MARK: bootstrap and shutdown

    /// Binds the socket and starts the reader, writer and management threads.
    public func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        let config: UDPConfig
        do throws(OuroError) {
            config = try UDPConfig(conf, family: family)
        } catch {
            log.error("Bad \(family.name) configuration.")
            throw error
        }
        let local = SocketAddress(ip: config.address, port: config.port)
        let socket: UDPSocket
        do throws(OuroError) {
            socket = try UDPSocket(binding: local)
        } catch {
            log.error("Failed to bind socket to \(local): \(error).")
            throw OuroError.failure
        }
        var ddns: DynamicDNS?
        if let server = config.dns {
            ddns = DynamicDNS(server: server)
            if ddns == nil { log.warning("DNS server \(server) configured, but nsupdate/nslookup are not installed.") }
        }
        let management = ManagementQueue(drops: drops)
        let writer: PacketWriter
        do throws(OuroError) {
            writer = try PacketWriter(socket: socket, flows: flows, drops: drops, log: log)
        } catch {
            socket.close()
            throw error
        }
        let l = Layer(config: config, socket: socket, resolver: NameResolver(family: family, ddns: ddns, log: log),
                      ddns: ddns, management: management,
                      reader: PacketReader(socket: socket, flows: flows, management: management, drops: drops, log: log),
                      writer: writer, stopped: ThreadCount())
        layer.withLock { $0 = l }
        management.start { [self] bytes, source in handleManagement(bytes, from: source) }
        l.reader.start { l.stopped.increment() }
        l.writer.start { l.stopped.increment() }
        log.info("Bound to \(local)\(config.dns.map { ", DNS server \($0)" } ?? "").")
        return conf
    }

    /// Stops the threads and closes the socket.
    public func shutdown() {
        guard let l = layer.withLock({ s -> Layer? in defer { s = nil }; return s }) else { return }
        l.management.stop()
        l.reader.stop()
        l.writer.stop()
        arrivals.stop()
        l.stopped.wait(for: 2, milliseconds: 1000)
        l.socket.close()
        let summary = drops.summary
        if !summary.isEmpty { log.info("Dropped: \(summary).") }
    }

    // MARK: directory

    /// Publishes the name through DDNS when a DNS server is configured. (The
    /// reference also keeps a registry of local names that nothing consults:
    /// a FLOW_REQ goes to irmd whatever its digest.)
    public func reg(_ hash: [UInt8]) throws(OuroError) {
        guard let l = current, let ddns = l.ddns else { return }
        let (started, ok) = ddns.update(DynamicDNS.addCommand(server: ddns.server, name: NameResolver.name(of: hash),
                                                              address: l.config.address))
        guard started else {
            log.error("Failed to start nsupdate.")
            throw OuroError.failure
        }
        if !ok { log.error("Failed to register with DNS server.") }
    }

    /// Withdraws the name from DDNS when a DNS server is configured.
    public func unreg(_ hash: [UInt8]) throws(OuroError) {
        guard let l = current, let ddns = l.ddns else { return }
        let (_, ok) = ddns.update(DynamicDNS.deleteCommand(server: ddns.server, name: NameResolver.name(of: hash)))
        if !ok { log.error("Failed to unregister from DNS server.") }
    }

    public func query(_ hash: [UInt8]) throws(OuroError) {
        try operational().resolver.query(hash)
    }

    // MARK: flow allocation

    /// Sends a FLOW_REQ to the IPCP serving `hash` (resolved by an earlier
    /// query). The answer comes as a FLOW_REPLY.
    public func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        let l = try operational()
        guard let ip = l.resolver.directory.address(of: hash) else {
            log.error("Could not resolve \(hash.hashPrefix).")
            throw OuroError.failure
        }
        let eid = UInt32(bitPattern: flowID)
        let remote = SocketAddress(ip: ip, port: l.config.port)
        let n1 = ipcp.flows.flow(flowID)?.flow
        flows.insert(eid, UDPFlow(remote: remote, remoteEID: nil, flow: n1))
        let request = FlowRequest(requesterEID: eid, qos: qos, digest: hash, payload: pk)
        guard l.socket.send(request.serialize(), to: remote) else {
            flows.remove(eid)
            log.error("Failed to send flow allocation request to \(remote): \(OuroError.errno).")
            throw OuroError.failure
        }
        if let n1 { l.writer.watch(n1) }
        log.debug("Sent flow allocation request for flow \(flowID) to \(remote).")
    }

    /// Answers a FLOW_REQ with a FLOW_REPLY carrying `response`. A refused
    /// flow is forgotten at once.
    public func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError) {
        do throws(OuroError) {
            try ipcp.waitFlowResp(flowID)
        } catch {
            log.error("Failed waiting for IRMd response.")
            throw OuroError.failure
        }
        let l = try operational()
        let eid = UInt32(bitPattern: flowID)
        guard let state = flows.get(eid), let requester = state.remoteEID else {
            log.error("No pending flow request for flow \(flowID).")
            throw OuroError.failure
        }
        // The peer may send data as soon as it has the reply: the flow is ready first.
        if response == 0, let n1 = ipcp.flows.flow(flowID)?.flow {
            flows.update(eid) { $0.flow = n1 }
            l.writer.watch(n1)
        }
        let reply = FlowReply(requesterEID: requester, responderEID: eid, response: response, payload: pk)
        guard l.socket.send(reply.serialize(), to: state.remote) else {
            log.error("Failed to send flow allocation reply to \(state.remote).")
            forget(flowID)
            throw OuroError.failure
        }
        guard response == 0 else {
            forget(flowID)
            return
        }
        log.info("Flow allocation completed, eids (\(eid), \(requester)).")
    }

    public func flowDealloc(flowID: Int32) throws(OuroError) {
        if let n1 = flows.remove(UInt32(bitPattern: flowID))?.flow { current?.writer.unwatch(n1) }
        try ipcp.releaseFlow(flowID)
        log.info("Flow with fd \(flowID) deallocated.")
    }

    /// Drops every trace of a flow that will not be used.
    private func forget(_ flowID: Int32) {
        if let n1 = flows.remove(UInt32(bitPattern: flowID))?.flow { current?.writer.unwatch(n1) }
        ipcp.flows.remove(flowID)?.flow?.release()
    }

    // MARK: management datagrams

    private func handleManagement(_ bytes: [UInt8], from source: SocketAddress) {
        let parsed = bytes.withUnsafeBytes { b in
            Result { () throws(DatagramError) -> ManagementMessage in try ManagementMessage(parsing: b) }
        }
        let message: ManagementMessage
        switch parsed {
        case .success(let m): message = m
        case .failure(let error): return drops.drop(.badManagement, "\(error) from \(source)")
        }
        switch message {
        case .request(let request): arrive(request, from: source)
        case .reply(let reply): handleReply(reply, from: source)
        }
    }

    /// A FLOW_REQ goes to irmd on a worker of its own, so replies to this
    /// IPCP's own allocations are never stuck behind an incoming one.
    private func arrive(_ request: FlowRequest, from source: SocketAddress) {
        guard pendingArrivals.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxPendingArrivals else {
            pendingArrivals.wrappingSubtract(1, ordering: .relaxed)
            return drops.drop(.managementBacklog, "flow request from \(source)")
        }
        arrivals.submit { [self] in
            handleRequest(request, from: source)
            pendingArrivals.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    /// Hands an incoming FLOW_REQ to irmd. When irmd refuses at once (no such
    /// name, nobody accepting) the requester gets a negative FLOW_REPLY now;
    /// the reference sends nothing and lets the requester time out (ipcps.md
    /// §10, item 12). A reference requester handles the reply like any refusal.
    private func handleRequest(_ request: FlowRequest, from source: SocketAddress) {
        do throws(OuroError) {
            let flowID = try ipcp.waitFlowReqArr(hash: request.digest, qos: request.qos, mpl: Self.mpl,
                                                 pk: request.payload) { newID in
                flows.insert(UInt32(bitPattern: newID), UDPFlow(remote: source, remoteEID: request.requesterEID, flow: nil))
            }
            log.info("Flow request from \(source) for \(request.digest.hashPrefix) arrived on flow \(flowID).")
        } catch {
            log.error("Failed to get a flow for the request from \(source): \(error).")
            let refusal = FlowReply(requesterEID: request.requesterEID, responderEID: 0, response: error.result, payload: [])
            if let l = current, !l.socket.send(refusal.serialize(), to: source) {
                drops.drop(.sendFailed, "refusal to \(source)")
            }
        }
    }

    /// A FLOW_REPLY completes this IPCP's allocation `requesterEID` if it
    /// comes from exactly the address the request went to.
    private func handleReply(_ reply: FlowReply, from source: SocketAddress) {
        let eid = reply.requesterEID
        guard let state = flows.get(eid) else { return drops.drop(.unexpectedReply, "eid \(eid) from \(source)") }
        guard state.remote == source else {
            log.error("Flow reply for eid \(eid) from \(source), expected \(state.remote).")
            return drops.drop(.wrongReplyAddress, "from \(source)")
        }
        guard state.remoteEID == nil else { return drops.drop(.unexpectedReply, "duplicate for eid \(eid)") }
        let flowID = Int32(bitPattern: eid)
        if reply.response == 0 && reply.responderEID != 0 {
            flows.update(eid) { $0.remoteEID = reply.responderEID }
        } else {
            forget(flowID)
        }
        let response = reply.response == 0 && reply.responderEID == 0 ? OuroError.failure.result : reply.response
        do throws(OuroError) {
            try ipcp.flowAllocReply(flowID: flowID, response: response, mpl: Self.mpl, pk: reply.payload)
        } catch {
            log.error("Failed to deliver the allocation reply for flow \(flowID): \(error).")
            return
        }
        log.info("Flow allocation \(response == 0 ? "completed" : "refused (\(response))") on flow \(flowID).")
    }
}
