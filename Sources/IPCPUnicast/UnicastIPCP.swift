import DevKit
import IPCPCommon
import IPCPKit
import Logging
import Synchronization

/// `ipcpd-unicast` (ipcps.md §6): the operations irmd asks of a unicast
/// IPCP. Until it bootstraps or enrolls it has only its connection manager
/// (enrollment uses it); then the components of `UnicastLayer` run.
public final class UnicastIPCP: IPCPOperations {
    private let ipcp: IPCP
    private let connections = ConnectionManager(offers: .unicast)
    private let layer = Mutex<UnicastLayer?>(nil)
    private let log = Logger(label: "ipcpd-unicast")

    public init(ipcp: IPCP) {
        self.ipcp = ipcp
        do {
            try OuroborosProcess.attachAsIPCP()
        } catch {
            log.error("Failed to attach to the flow runtime: \(error).")
        }
    }

    public let supportedOperations: Set<IPCPOperation> = [
        .bootstrap, .enroll, .connect, .disconnect, .reg, .unreg, .query, .flowAlloc, .flowAllocResp, .flowDealloc,
    ]

    /// The running components, once bootstrapped or enrolled.
    public var components: UnicastLayer? { layer.withLock { $0 } }

    private func running() throws(OuroError) -> UnicastLayer {
        guard let l = components else { throw OuroError.ipcpState }
        return l
    }

    /// Builds and starts the components for `config`.
    private func join(_ config: UnicastConfig) throws(OuroError) -> UnicastLayer {
        let l = try UnicastLayer(config: config, ipcp: ipcp, connections: connections)
        do {
            try l.start()
        } catch {
            l.stop()
            throw error
        }
        layer.withLock { $0 = l }
        return l
    }

    public func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        let config: UnicastConfig
        do {
            config = try UnicastConfig(conf)
        } catch {
            log.error("Invalid unicast configuration.")
            throw error
        }
        return try join(config).config.message
    }

    public func enroll(_ dst: String) throws(OuroError) -> layer_info_msg {
        let l = try Enrollee.enroll(through: connections, destination: dst, type: .unicast) { conf throws(OuroError) in
            try join(try UnicastConfig(conf))
        }
        return l.config.layer.message
    }

    public func connect(_ dst: String, component: String, qos: QoSSpec) throws(OuroError) {
        _ = try running()
        try connections.connect(try connections.component(named: component), to: dst, qos: qos)
    }

    public func disconnect(_ dst: String, component: String) throws(OuroError) {
        connections.disconnect(try connections.component(named: component), from: dst)
    }

    public func reg(_ hash: [UInt8]) throws(OuroError) {
        try running().directory.register(hash)
    }

    public func unreg(_ hash: [UInt8]) throws(OuroError) {
        try running().directory.unregister(hash)
    }

    public func query(_ hash: [UInt8]) throws(OuroError) {
        guard try running().directory.query(hash) != nil else { throw OuroError.failure }
    }

    public func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        try running().flowAllocator.allocate(flowID: flowID, hash: hash, qos: qos, pk: pk)
    }

    public func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError) {
        try running().flowAllocator.respond(flowID: flowID, response: response, pk: pk)
    }

    public func flowDealloc(flowID: Int32) throws(OuroError) {
        try running().flowAllocator.deallocate(flowID: flowID)
    }

    public func info(_ section: InfoSection) throws(OuroError) -> InfoNode {
        try running().info(section)
    }

    public func shutdown() {
        layer.withLock { $0 }?.stop()
    }
}
