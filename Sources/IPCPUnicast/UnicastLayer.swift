import DevKit
import IPCPCommon
import IPCPKit
import Logging

/// The running components of a unicast IPCP once it bootstrapped or enrolled
/// (ipcps.md §6.1), built from the layer configuration in the reference's
/// order: address, congestion avoidance, routing and data transfer,
/// directory, flow allocator; then started.
public final class UnicastLayer: Sendable {
    /// The configuration in effect, as handed to the IPCPs that enroll here:
    /// the DHT peer is this IPCP.
    public let config: UnicastConfig
    public let address: Address
    public let dt: DataTransfer
    public let routing: any RoutingPolicy
    public let directory: any Directory
    public let flowAllocator: FlowAllocator
    private let dtScheduler: PacketScheduler
    private let connections: ConnectionManager
    private let enrollment: EnrollmentResponder
    private let timers = Timers()
    private let log = Logger(label: "ipcpd-unicast")

    /// Builds the components for `config`; `.invalid` for a configuration
    /// this implementation cannot run (address size other than 4).
    public init(config: UnicastConfig, ipcp: IPCP, connections: ConnectionManager) throws(OuroError) {
        guard config.addressSize == FlatAddressAuthority.addressSize else {
            log.error("Unsupported address size \(config.addressSize): the flat address authority needs 4.")
            throw OuroError.invalid
        }
        log.info("Configuration: \(config.summary).")
        let address = FlatAddressAuthority().assign()
        log.info("IPCP got address \(address).")
        if config.eidSize != UInt8(PCI.eidSize) {
            log.warning("Endpoint ids are \(PCI.eidSize) bytes, not the configured \(config.eidSize).")
        }
        let congestion = UnicastLayer.makeCongestionAvoidance(config.congestionAvoidance)
        let routing = try UnicastLayer.makeRouting(RoutingContext(address: address, config: config.routing, timers: timers))
        self.routing = routing
        dt = DataTransfer(address: address, maxTTL: config.maxTTL,
                          tables: QoSCube.allCases.map { routing.forwardingTable(for: $0) }, congestion: congestion)
        dtScheduler = try PacketScheduler(name: "data transfer", client: dt)
        directory = try UnicastLayer.makeDirectory(
            DirectoryContext(address: address, hashLength: config.layer.hashAlgorithm.digestLength,
                             config: config.directory, sender: dt, timers: timers,
                             reachable: { [routing] in routing.reachable }))
        var stored = config
        stored.directory = config.directory.withPeer(address)
        self.config = stored
        flowAllocator = FlowAllocator(ipcp: ipcp, dt: dt, directory: directory, congestion: congestion,
                                      hashLength: config.layer.hashAlgorithm.digestLength)
        enrollment = EnrollmentResponder(config: stored.message)
        self.address = address
        self.connections = connections
        dt.register(flowAllocator, at: .flowAllocator)
        dt.setFlowEndpoints(flowAllocator)
        dt.setEventHandler(connections)
    }

    /// Starts the components (§6.1 `start_components`).
    public func start() throws(OuroError) {
        connections.address = address
        connections.register(DTConnections(scheduler: dtScheduler, routing: routing, counters: dt.counters), for: .dataTransfer)
        connections.register(ManagementConnections(routing: routing), for: .management)
        connections.register(enrollment, for: .enrollment)
        connections.start()
        dtScheduler.start()
        routing.start()
        try flowAllocator.start()
        directory.start()
        dt.register(directory, at: .directory)
    }

    /// Stops everything (shutdown).
    public func stop() {
        directory.stop()
        connections.stop()
        flowAllocator.stop()
        routing.stop()
        dtScheduler.stop()
        enrollment.stop()
        timers.stop()
    }

    /// The routing policy of `context.config`.
    static func makeRouting(_ context: RoutingContext) throws(OuroError) -> any RoutingPolicy {
        switch context.config {
        case .linkState: return try LinkStatePolicy(context: context)
        }
    }

    /// The directory policy of `context.config`.
    static func makeDirectory(_ context: DirectoryContext) throws(OuroError) -> any Directory {
        switch context.config {
        case .dht: return try DHTDirectory(context: context)
        }
    }

    /// The congestion avoidance policy.
    static func makeCongestionAvoidance(_ policy: UnicastConfig.CongestionAvoidancePolicy) -> any CongestionAvoidance {
        switch policy {
        case .none: return NopCongestionAvoidance()
        case .multiBitECN: return MultiBitECN()
        }
    }
}
