import DevKit
import IPCPKit
import Logging
import Synchronization

/// `ipcpd-eth-dix` and `ipcpd-eth-llc` (ipcps.md §5): a shim layer straight
/// over one Ethernet interface. Names are found by broadcast queries and the
/// answers kept (the learned directory); flows are set up with a request and
/// a reply carrying the endpoints (DIX: flow ids; LLC: SAPs), after which data
/// frames carry the receiver's endpoint.
public final class EthernetIPCP: IPCPOperations {
    /// Which of the two shims.
    public enum Kind: Sendable {
        case dix, llc
    }

    /// The MPL reported for Ethernet flows, in ms.
    public static let mpl: UInt32 = 100
    /// How long a name query waits for an answer, in ms.
    public static let queryTimeout = 2000
    /// How often the interface's state is checked, in ms.
    static let linkCheckInterval = 500

    let ipcp: IPCP
    let kind: Kind
    let settings: EthernetSettings
    let registry = ShimRegistry()
    let directory = ShimDirectory<MACAddress>()
    /// Broadcast whenever the directory learns an address.
    let learned = ConditionSignal()
    let flows: EthernetFlows
    let management = ManagementQueue()
    let workers = WorkerPool(minIdle: 1)
    let drops: DropCounters
    let log = Logger(label: "ipcpd-eth")
    private let running = Atomic<Bool>(false)
    /// The interface's state as last seen.
    let deviceUp = Mutex(false)
    var isRunning: Bool { running.load(ordering: .relaxed) }

    private struct Parts: Sendable {
        let link: EthernetLink
        let receiver: FrameReceiver
        let sender: FrameSender
        let monitor: LinkMonitor?
    }

    private let parts = Mutex<Parts?>(nil)

    public init(ipcp: IPCP, kind: Kind, settings: EthernetSettings = .fromEnvironment()) {
        self.ipcp = ipcp
        self.kind = kind
        self.settings = settings
        flows = EthernetFlows(usesSAPs: kind == .llc)
        drops = DropCounters(log: log)
    }

    public let supportedOperations: Set<IPCPOperation> = [
        .bootstrap, .reg, .unreg, .query, .flowAlloc, .flowAllocResp, .flowDealloc,
    ]

    var link: EthernetLink? { parts.withLock { $0?.link } }
    private var sender: FrameSender? { parts.withLock { $0?.sender } }

    /// The framing a bootstrap configuration asks for; DIX Ethertypes must be
    /// at least 0x0600 and not 0xFFFF. LLC ignores the Ethertype field (the
    /// reference's irm fills it with garbage).
    public static func framing(kind: Kind, _ conf: eth_config_msg) throws(OuroError) -> EthernetFraming {
        switch kind {
        case .llc:
            return .llc
        case .dix:
            guard conf.ethertype >= 0x0600, conf.ethertype < 0xFFFF else { throw OuroError.invalid }
            return .dix(ethertype: UInt16(conf.ethertype))
        }
    }

    /// Opens the device named in the configuration and starts the reader,
    /// writer and management threads.
    public func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        guard conf.hasEth else {
            log.error("No Ethernet configuration.")
            throw OuroError.invalid
        }
        let framing: EthernetFraming
        do throws(OuroError) {
            framing = try Self.framing(kind: kind, conf.eth)
        } catch {
            log.error("Invalid Ethertype 0x\(String(conf.eth.ethertype, radix: 16)).")
            throw error
        }
        let device: EthernetDevice
        do throws(EthernetDevice.LookupError) {
            device = try EthernetDevice(named: conf.eth.dev)
        } catch {
            log.error("\(error)")
            throw OuroError.invalid
        }
        if !device.isUp { log.warning("Device \(device.name) is down.") }
        let link: EthernetLink
        do throws(OuroError) {
            link = try EthernetLink(device: device, framing: framing, receive: settings.receive)
        } catch {
            log.error("Failed to open a raw socket on \(device.name): \(error).")
            throw error
        }
        let receiver = FrameReceiver(link: link, flows: flows, management: management, drops: drops)
        let sender = try FrameSender(link: link, flows: flows, drops: drops, batchSize: settings.sendBatch)
        let monitor = try? LinkMonitor(ifindex: device.index)
        if monitor == nil { log.warning("No netlink link events: link changes are seen by polling only.") }
        parts.withLock { $0 = Parts(link: link, receiver: receiver, sender: sender, monitor: monitor) }
        deviceUp.withLock { $0 = device.isUp }
        running.store(true, ordering: .relaxed)
        receiver.start()
        sender.start()
        monitor?.start { [self] up in deviceState(device.name, up: up) }
        startThread { [self] in manage(link) }
        log.info("Using device \(device.name), MAC \(device.mac), MTU \(link.mtu).")
        var kept = ipcp_config_msg()
        kept.ipcpType = conf.ipcpType
        kept.layerInfo = conf.layerInfo
        kept.eth = conf.eth
        return kept
    }

    public func reg(_ hash: [UInt8]) throws(OuroError) {
        registry.add(hash)
    }

    public func unreg(_ hash: [UInt8]) throws(OuroError) {
        registry.remove(hash)
    }

    /// Known, or asked for by broadcast and answered within two seconds.
    /// A late answer is still learned, so a retry finds it.
    public func query(_ hash: [UInt8]) throws(OuroError) {
        if directory.contains(hash) { return }
        guard let link else { throw OuroError.ipcpState }
        do throws(OuroError) {
            try link.send(ManagementMessage(code: .nameQueryRequest, body: hash), to: .broadcast)
        } catch {
            log.error("Failed to send name query: \(error).")
            throw OuroError.failure
        }
        let deadline = Deadline.after(milliseconds: Self.queryTimeout)
        learned.wait(until: deadline) { directory.contains(hash) || !running.load(ordering: .relaxed) }
        guard directory.contains(hash) else { throw OuroError.failure }
    }

    /// Sends a FLOW_REQ to the MAC the directory knows for `hash`.
    public func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec,
                          pk: [UInt8]) throws(OuroError) {
        guard let link, let sender else { throw OuroError.ipcpState }
        guard let mac = directory.address(of: hash) else {
            log.error("Destination \(hash.hashPrefix) not in the directory.")
            throw OuroError.failure
        }
        let mapped = ipcp.flows.flow(flowID)?.flow
        let local: UInt16
        do throws(OuroError) {
            local = try flows.addOutgoing(flowID, to: mac, flow: mapped)
        } catch {
            log.error(error == .noMemory ? "No free SAP for flow \(flowID)." : "Flow id \(flowID) does not fit.")
            throw OuroError.failure
        }
        let request = ManagementMessage(code: .flowRequest, sourceEndpoint: local, qos: qos, body: hash + pk)
        do throws(OuroError) {
            try link.send(request, to: mac)
        } catch {
            flows.remove(flowID)
            log.error("Failed to send flow request: \(error).")
            throw OuroError.failure
        }
        if let mapped { sender.watch(mapped) }
        log.info("Flow request sent to \(mac) for flow \(flowID).")
    }

    /// Answers the request that arrived on `flowID` with a FLOW_REPLY.
    public func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32,
                              pk: [UInt8]) throws(OuroError) {
        do throws(OuroError) {
            try ipcp.waitFlowResp(flowID)
        } catch {
            log.error("Failed waiting for IRMd response.")
            throw OuroError.failure
        }
        guard let link, let sender, let pending = flows.flow(flowID), let remote = pending.remoteEndpoint else {
            log.error("No pending request for flow \(flowID).")
            throw OuroError.failure
        }
        var reply = ManagementMessage(code: .flowReply, destinationEndpoint: remote, response: response, body: pk)
        var accepted: EthernetFlow?
        if response == 0 {
            do throws(OuroError) {
                accepted = try flows.accept(flowID, flow: ipcp.flows.flow(flowID)?.flow)
            } catch {
                log.error("No free SAP for flow \(flowID).")
                reply.response = OuroError.failure.result
            }
        }
        if let accepted {
            reply.sourceEndpoint = accepted.localEndpoint
        } else {
            // A refused flow gets no endpoint (the reference takes an LLC SAP
            // for it anyway and keeps it).
            forget(flowID)
        }
        do throws(OuroError) {
            try link.send(reply, to: pending.remoteMAC)
        } catch {
            log.error("Failed to send flow reply: \(error).")
            if accepted != nil { forget(flowID) }
            throw OuroError.failure
        }
        if let flow = accepted?.flow { sender.watch(flow) }
        log.info("Flow reply sent to \(pending.remoteMAC) for flow \(flowID).")
    }

    /// Purely local: the peer is not told (ipcps.md §10.11).
    public func flowDealloc(flowID: Int32) throws(OuroError) {
        if let f = flows.remove(flowID), let flow = f.flow { sender?.unwatch(flow) }
        try ipcp.releaseFlow(flowID)
        log.info("Flow with fd \(flowID) deallocated.")
    }

    public func shutdown() {
        running.store(false, ordering: .relaxed)
        learned.broadcast()
        management.wake()
        parts.withLock { p in
            p?.receiver.stop()
            p?.sender.stop()
            p?.monitor?.stop()
        }
        workers.stop()
        let summary = drops.summary
        if !summary.isEmpty { log.info("Dropped frames: \(summary).") }
    }

    /// Drops a flow that will not carry data: out of both tables.
    private func forget(_ flowID: Int32) {
        if let f = flows.remove(flowID), let flow = f.flow { sender?.unwatch(flow) }
        ipcp.flows.remove(flowID)?.releaseDataPath()
    }
}
