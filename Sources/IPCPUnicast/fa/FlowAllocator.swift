import DevKit
import IPCPCommon
import IPCPKit
import Logging
import Synchronization

/// The flow allocator (ipcps.md §6.5): sets up N+1 flows end to end with
/// FLOW_REQ / FLOW_REPLY messages at eid 0 of the peer, carries the OAP
/// header irmd hands it opaquely, and moves N+1 packets between the
/// applications' flows and the data transfer. Messages are processed by one
/// worker in arrival order; N+1 flows are read by the FA's packet scheduler.
public final class FlowAllocator: DTComponent, FlowEndpointDelivery, PacketSchedulerClient {
    /// The maximum packet lifetime reported for unicast flows, in ms.
    public static let mpl: UInt32 = 100

    /// The FA's view of one N+1 flow (keyed by its flow id).
    struct Endpoint {
        /// This end's eid: random upper 32 bits, the flow id below.
        let localEID: UInt64
        /// The other end's eid, 0 until its reply arrived.
        var remoteEID: UInt64
        let remoteAddress: Address
        /// The cube the flow's QoS maps to (§1.2), in both directions. The
        /// reference schedules and forwards every N+1 flow as best-effort;
        /// here a voice or video flow gets its cube's higher-priority
        /// scheduler threads and forwarding table end to end.
        let cube: QoSCube
        let congestion: any CongestionContext
        /// This IPCP's mapped end of the flow, once data may flow.
        var flow: Flow?
    }

    let ipcp: IPCP
    private let dt: any PacketSender
    private let directory: any Directory
    private let congestion: any CongestionAvoidance
    private let hashLength: Int
    let endpoints = Mutex<[Int32: Endpoint]>([:])
    private let worker = SerialQueue()
    private let scheduler = Mutex<PacketScheduler?>(nil)
    /// Per N+1 flow, the packet read but held back by congestion avoidance.
    private let paced = Mutex<[Int32: (eid: UInt64, packet: PacketBuffer)]>([:])
    /// The longest a packet is held back, in ns.
    static let maxPace: UInt64 = 1_000_000_000
    public let drops = DropCounter(label: "flow-allocator")
    private let log = Logger(label: "flow-allocator")

    public init(ipcp: IPCP, dt: any PacketSender, directory: any Directory, congestion: any CongestionAvoidance,
                hashLength: Int) {
        self.ipcp = ipcp
        self.dt = dt
        self.directory = directory
        self.congestion = congestion
        self.hashLength = hashLength
    }

    /// Starts reading N+1 flows.
    public func start() throws(OuroError) {
        let s = try PacketScheduler(name: "flow allocator", client: self)
        s.start()
        scheduler.withLock { $0 = s }
    }

    public func stop() {
        scheduler.withLock { $0?.stop() }
        worker.stop()
    }

    /// The eid of N+1 flow `flowID`: 32 random non-zero bits above the flow
    /// id, so never below 64.
    static func makeEID(_ flowID: Int32) -> UInt64 {
        UInt64(UInt32.random(in: 1...UInt32.max)) << 32 | UInt64(UInt32(bitPattern: flowID))
    }

    /// The flow an eid names, if it is still this flow's eid.
    private func endpoint(eid: UInt64) -> (Int32, Endpoint)? {
        let flowID = Int32(truncatingIfNeeded: eid & 0xFFFF_FFFF)
        return endpoints.withLock { e in
            guard let ep = e[flowID], ep.localEID == eid else { return nil }
            return (flowID, ep)
        }
    }

    // MARK: irmd's requests

    /// Starts allocating N+1 flow `flowID` to the name with digest `hash`:
    /// resolves it, records the flow, sends FLOW_REQ. The reply comes later.
    public func allocate(flowID: Int32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        guard let remote = directory.query(hash) else {
            log.debug("Could not resolve \(hash.hashPrefix).")
            throw OuroError.failure
        }
        let eid = FlowAllocator.makeEID(flowID)
        // [ref-quirk] fixed: recorded before sending, so a fast reply finds it (§10 item 41).
        endpoints.withLock {
            $0[flowID] = Endpoint(localEID: eid, remoteEID: 0, remoteAddress: remote, cube: QoSCube(qos),
                                  congestion: congestion.makeContext(), flow: nil)
        }
        let request = FlowAllocatorMessage(code: .request, sourceAddress: dt.address, senderEID: eid, qos: qos,
                                           body: hash + pk)
        do {
            try dt.send(request.serialize(), to: remote, cube: .bestEffort, eid: ComponentEndpoint.flowAllocator.rawValue)
        } catch {
            endpoints.withLock { _ = $0.removeValue(forKey: flowID) }
            log.error("Failed to send flow allocation request to \(remote): \(error).")
            throw OuroError.failure
        }
    }

    /// Answers the incoming allocation on `flowID` with FLOW_REPLY; on success
    /// the flow's packets start moving.
    public func respond(flowID: Int32, response: Int32, pk: [UInt8]) throws(OuroError) {
        do {
            try ipcp.waitFlowResp(flowID)
        } catch {
            log.error("Failed to wait for allocation response on flow \(flowID).")
            throw OuroError.failure
        }
        guard let ep = endpoints.withLock({ $0[flowID] }) else {
            log.error("No pending allocation on flow \(flowID).")
            throw OuroError.failure
        }
        let reply = FlowAllocatorMessage(code: .reply, receiverEID: ep.remoteEID, senderEID: ep.localEID,
                                         response: response, body: pk)
        do {
            try dt.send(reply.serialize(), to: ep.remoteAddress, cube: .bestEffort,
                        eid: ComponentEndpoint.flowAllocator.rawValue)
        } catch {
            endpoints.withLock { _ = $0.removeValue(forKey: flowID) }
            log.error("Failed to send flow allocation reply to \(ep.remoteAddress): \(error).")
            throw OuroError.failure
        }
        guard response >= 0 else {
            endpoints.withLock { _ = $0.removeValue(forKey: flowID) }
            return
        }
        activate(flowID)
    }

    /// Drops the FA state of `flowID` and releases the flow. No message goes
    /// to the peer (§10 item 11).
    public func deallocate(flowID: Int32) throws(OuroError) {
        endpoints.withLock { _ = $0.removeValue(forKey: flowID) }
        if let flow = ipcp.flows.flow(flowID)?.flow { scheduler.withLock { $0?.remove(flow) } }
        if let held = paced.withLock({ $0.removeValue(forKey: flowID) }) { Flow.releasePacket(held.packet) }
        try ipcp.releaseFlow(flowID)
    }

    /// Starts moving the packets of `flowID`.
    private func activate(_ flowID: Int32) {
        guard let flow = ipcp.flows.flow(flowID)?.flow,
              let cube = endpoints.withLock({ e -> QoSCube? in
                  e[flowID]?.flow = flow
                  return e[flowID]?.cube
              }) else { return }
        do {
            try scheduler.withLock { (s: inout PacketScheduler?) throws(OuroError) in try s?.add(flow, cube: cube) }
        } catch {
            log.error("Failed to schedule flow \(flowID): \(error).")
        }
    }

    // MARK: messages

    public func receive(_ packet: [UInt8]) {
        let message: FlowAllocatorMessage
        do {
            message = try FlowAllocatorMessage(parsing: packet)
        } catch {
            drops.drop(error == .messageSize ? "FA message over 2048 bytes" : "malformed FA message")
            return
        }
        worker.submit { [self] in handle(message) }
    }

    private func handle(_ message: FlowAllocatorMessage) {
        switch message.code {
        case .request: handleRequest(message)
        case .reply: handleReply(message)
        case .update:
            guard let (_, ep) = endpoint(eid: message.receiverEID) else {
                drops.drop("FLOW_UPDATE for an unknown eid")
                return
            }
            ep.congestion.congestionReported(message.ece)
        }
    }

    private func handleRequest(_ message: FlowAllocatorMessage) {
        guard message.body.count >= hashLength, message.sourceAddress.isValid else {
            drops.drop("malformed FLOW_REQ")
            return
        }
        let hash = Array(message.body[..<hashLength])
        let pk = Array(message.body[hashLength...])
        let context = congestion.makeContext()
        do {
            _ = try ipcp.waitFlowReqArr(hash: hash, qos: message.qos, mpl: FlowAllocator.mpl, pk: pk) { flowID in
                endpoints.withLock {
                    $0[flowID] = Endpoint(localEID: FlowAllocator.makeEID(flowID), remoteEID: message.senderEID,
                                          remoteAddress: message.sourceAddress, cube: QoSCube(message.qos),
                                          congestion: context, flow: nil)
                }
            }
        } catch {
            // Nothing goes back: the requester's irmd times out (§10 item 12).
            log.error("Failed to get fd for flow to \(hash.hashPrefix): \(error).")
        }
    }

    private func handleReply(_ message: FlowAllocatorMessage) {
        guard let (flowID, _) = endpoint(eid: message.receiverEID) else {
            drops.drop("FLOW_REPLY for an unknown eid")
            return
        }
        if message.response < 0 {
            endpoints.withLock { _ = $0.removeValue(forKey: flowID) }
        } else {
            endpoints.withLock { $0[flowID]?.remoteEID = message.senderEID }
            activate(flowID)
        }
        do {
            try ipcp.flowAllocReply(flowID: flowID, response: message.response, mpl: FlowAllocator.mpl, pk: message.body)
        } catch {
            log.error("Failed to report allocation reply on flow \(flowID): \(error).")
        }
    }

    // MARK: N+1 data

    public func deliver(_ payload: UnsafeRawBufferPointer, eid: UInt64, ecn: UInt8) {
        guard let (_, ep) = endpoint(eid: eid) else {
            drops.drop("packet for an unknown eid")
            return
        }
        if let ece = ep.congestion.received(length: payload.count, ecn: ecn) {
            let update = FlowAllocatorMessage(code: .update, receiverEID: ep.remoteEID, ece: ece)
            try? dt.send(update.serialize(), to: ep.remoteAddress, cube: .bestEffort,
                         eid: ComponentEndpoint.flowAllocator.rawValue)
        }
        guard let flow = ep.flow else {
            drops.drop("packet for a flow not yet allocated")
            return
        }
        do {
            let packet = try Flow.allocatePacket(length: payload.count, .nonBlocking)
            if payload.count > 0 { packet.bytes.copyMemory(from: payload) }
            try flow.writePacket(packet, .nonBlocking)
        } catch {
            drops.drop("N+1 flow not accepting: \(error)")
        }
    }

    public func drain(_ flow: Flow, cube: QoSCube, scratch: UnsafeMutableRawBufferPointer) -> DrainOutcome {
        guard let id = try? flow.flowID(), let ep = endpoints.withLock({ $0[Int32(id)] }), ep.remoteEID != 0 else {
            while let packet = try? flow.readPacket(.nonBlocking) { Flow.releasePacket(packet) }
            return .empty
        }
        // A packet held back when the flow was last paced goes first.
        var held: PacketBuffer? = nil
        if let h = paced.withLock({ $0.removeValue(forKey: Int32(id)) }) {
            // (a packet left by an earlier flow with this id is dropped)
            if h.eid == ep.localEID { held = h.packet } else { Flow.releasePacket(h.packet) }
        }
        for _ in 0..<PacketScheduler.batch {
            let packet: PacketBuffer
            if let h = held {
                packet = h
                held = nil
            } else {
                guard let next = try? flow.readPacket(.nonBlocking) else { return .empty }
                let wait = ep.congestion.sending(length: next.length)
                if wait > 0 {
                    // Paced: the packet waits here, the reader serves other flows.
                    paced.withLock { $0[Int32(id)] = (ep.localEID, next) }
                    return .paused(until: .now.adding(nanoseconds: min(wait, FlowAllocator.maxPace)))
                }
                packet = next
            }
            do {
                try dt.send(packet: packet, to: ep.remoteAddress, cube: ep.cube, eid: ep.remoteEID)
            } catch {
                drops.drop("N+1 packet not sent: \(error)")
            }
        }
        return .more
    }

    public func flowEvent(_ flow: Flow, _ event: FlowEventType) {}
}
