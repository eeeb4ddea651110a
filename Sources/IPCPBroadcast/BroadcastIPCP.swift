import DevKit
import IPCPCommon
import IPCPKit
import Logging
import Synchronization

/// `ipcpd-broadcast` (ipcps.md §7): the operations irmd asks of a broadcast
/// IPCP. It has no addresses, directory or routing: applications join the
/// layer by its name and every packet reaches every other member.
public final class BroadcastIPCP: IPCPOperations {
    /// The maximum packet lifetime reported for joined flows, in ms.
    public static let mpl: UInt32 = 100

    private let ipcp: IPCP
    private let connections = ConnectionManager(offers: .broadcast)
    private let layer = Mutex<BroadcastLayer?>(nil)
    private let log = Logger(label: "ipcpd-broadcast")

    public init(ipcp: IPCP) {
        self.ipcp = ipcp
        do {
            try OuroborosProcess.attachAsIPCP()
        } catch {
            log.error("Failed to attach to the flow runtime: \(error).")
        }
    }

    public let supportedOperations: Set<IPCPOperation> = [
        .bootstrap, .enroll, .connect, .disconnect, .flowJoin, .flowDealloc,
    ]

    /// The forwarding plane, once bootstrapped or enrolled.
    public var forwarder: Forwarder? { layer.withLock { $0?.forwarder } }

    private func running() throws(OuroError) -> BroadcastLayer {
        guard let l = layer.withLock({ $0 }) else { throw OuroError.ipcpState }
        return l
    }

    /// Builds and starts the components for `config` (of a broadcast layer:
    /// the skeleton and the enrollee check the type).
    private func join(_ config: ipcp_config_msg) throws(OuroError) -> BroadcastLayer {
        let l = try BroadcastLayer(config: config, connections: connections)
        l.start()
        layer.withLock { $0 = l }
        return l
    }

    public func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        try join(conf).config
    }

    public func enroll(_ dst: String) throws(OuroError) -> layer_info_msg {
        let l = try Enrollee.enroll(through: connections, destination: dst, type: .broadcast) { conf throws(OuroError) in
            try join(conf)
        }
        return l.config.layerInfo
    }

    public func connect(_ dst: String, component: String, qos: QoSSpec) throws(OuroError) {
        _ = try running()
        try connections.connect(try connections.component(named: component), to: dst, qos: qos)
    }

    public func disconnect(_ dst: String, component: String) throws(OuroError) {
        connections.disconnect(try connections.component(named: component), from: dst)
    }

    /// Checks that `hash` names this layer (`.name` otherwise), makes the flow
    /// a neighbour and answers irmd's allocation at once.
    public func flowJoin(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8]) throws(OuroError) {
        let l = try running()
        guard let name = ipcp.layer?.name, LayerNameCheck.matches(hash, layer: name) else {
            log.error("Hash mismatch for layer \(ipcp.layer?.name ?? "").")
            throw OuroError.name
        }
        if let flow = ipcp.flows.flow(flowID)?.flow { try l.forwarder.add(flow) }
        try ipcp.flowAllocReply(flowID: flowID, response: 0, mpl: BroadcastIPCP.mpl, pk: [])
    }

    public func flowDealloc(flowID: Int32) throws(OuroError) {
        if let flow = ipcp.flows.flow(flowID)?.flow { try running().forwarder.remove(flow) }
        try ipcp.releaseFlow(flowID)
    }

    public func shutdown() {
        layer.withLock { $0 }?.stop()
    }
}
