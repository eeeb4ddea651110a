import IPCPCommon

/// The "Management" connection-manager component: its N-1 flows belong to
/// the routing policy, which exchanges its messages on them.
public final class ManagementConnections: ConnectionListener {
    private let routing: any RoutingPolicy

    public init(routing: any RoutingPolicy) { self.routing = routing }

    public func connectionAdded(_ connection: Connection) {
        routing.managementConnectionAdded(connection.flow, neighbour: connection.peer.address)
    }

    public func connectionRemoved(_ connection: Connection) {
        routing.managementConnectionRemoved(connection.flow, neighbour: connection.peer.address)
    }

    public func connectionStateChanged(_ connection: Connection, up: Bool) {}
}
