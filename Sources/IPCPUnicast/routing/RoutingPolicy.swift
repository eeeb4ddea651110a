import DevKit
import IPCPCommon
import IPCPKit

/// A routing policy (ipcps.md §6.9): learns the layer's topology from the
/// adjacencies the connection manager reports and from its own messages on
/// the Management N-1 flows (which it reads and writes itself), and keeps
/// the per-cube forwarding tables the data transfer uses.
///
/// The connection manager calls the `dt…`/`management…` methods from its own
/// threads; an implementation must not block in them for long.
public protocol RoutingPolicy: AnyObject, Sendable {
    /// The forwarding table of `cube` (created with the policy; never changes).
    func forwardingTable(for cube: QoSCube) -> any ForwardingTable
    /// The addresses this IPCP currently has a route to.
    var reachable: [Address] { get }
    /// Starts the policy's timers and readers.
    func start()
    /// Stops them; no call follows except `stop` again.
    func stop()

    /// A Data Transfer N-1 flow to the neighbour at `neighbour` came up (OCEP done).
    func dtConnectionAdded(_ flow: Flow, neighbour: Address, qos: QoSSpec)
    /// That flow was disconnected or deallocated.
    func dtConnectionRemoved(_ flow: Flow, neighbour: Address)
    /// That flow went down (`up` false) or came back (`up` true) without being removed.
    func dtFlowStateChanged(_ flow: Flow, up: Bool)
    /// A Management N-1 flow to `neighbour` came up: the policy now reads it.
    func managementConnectionAdded(_ flow: Flow, neighbour: Address)
    /// That Management flow was disconnected; the policy stops using it (the
    /// connection manager deallocates it afterwards).
    func managementConnectionRemoved(_ flow: Flow, neighbour: Address)
    /// The policy's part of the information tree for `section` (`irm ipcp
    /// info`), nil when it keeps nothing there.
    func info(_ section: InfoSection) -> InfoNode?
}

/// What a routing policy is built from.
public struct RoutingContext: Sendable {
    /// This IPCP's address.
    public let address: Address
    /// The routing configuration of the layer.
    public let config: RoutingConfig
    /// The daemon's timer thread.
    public let timers: Timers

    public init(address: Address, config: RoutingConfig, timers: Timers) {
        self.address = address
        self.config = config
        self.timers = timers
    }
}
