import DevKit
import IPCPCommon
import Logging

/// The broadcast "Data Transfer" component (ipcps.md §7.3): every connected
/// N-1 flow becomes a neighbour of the forwarder.
final class DTNeighbours: ConnectionListener {
    private let forwarder: Forwarder
    private let log = Logger(label: "broadcast-dt")

    init(forwarder: Forwarder) { self.forwarder = forwarder }

    func connectionAdded(_ connection: Connection) {
        do {
            try forwarder.add(connection.flow)
        } catch {
            log.error("Failed to add neighbour: \(error).")
        }
    }

    func connectionRemoved(_ connection: Connection) {
        forwarder.remove(connection.flow)
    }

    func connectionStateChanged(_ connection: Connection, up: Bool) {}
}
