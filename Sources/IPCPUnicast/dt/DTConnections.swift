import DevKit
import IPCPCommon
import Logging

/// The data transfer's connection-manager component ("Data Transfer", §6.3.4):
/// each connected N-1 flow is read by the DT scheduler in the cube of its
/// QoS, its counters start, and routing learns the neighbour's address.
public final class DTConnections: ConnectionListener {
    private let scheduler: PacketScheduler
    private let routing: any RoutingPolicy
    private let counters: N1FlowCounters
    private let log = Logger(label: "dt")

    public init(scheduler: PacketScheduler, routing: any RoutingPolicy, counters: N1FlowCounters) {
        self.scheduler = scheduler
        self.routing = routing
        self.counters = counters
    }

    public func connectionAdded(_ connection: Connection) {
        let flow = connection.flow
        do {
            // The scheduler drains flows without blocking.
            try flow.setFlags([.readWrite, .writeNoPartial, .readNonBlocking])
            counters.track(flow, neighbour: connection.peer.address, now: SystemTime().now)
            try scheduler.add(flow, cube: QoSCube(connection.qos))
        } catch {
            log.error("Failed to schedule N-1 flow to \(connection.peer.address): \(error).")
            return
        }
        routing.dtConnectionAdded(flow, neighbour: connection.peer.address, qos: connection.qos)
    }

    public func connectionRemoved(_ connection: Connection) {
        scheduler.remove(connection.flow)
        counters.untrack(connection.flow)
        routing.dtConnectionRemoved(connection.flow, neighbour: connection.peer.address)
    }

    public func connectionStateChanged(_ connection: Connection, up: Bool) {
        routing.dtFlowStateChanged(connection.flow, up: up)
    }
}
