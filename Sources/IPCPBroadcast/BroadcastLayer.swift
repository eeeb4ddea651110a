import DevKit
import IPCPCommon

/// The running components of a broadcast IPCP once it bootstrapped or
/// enrolled (ipcps.md §7.1): the forwarding plane with its Data Transfer
/// component, and the enrollment responder handing out `config`.
final class BroadcastLayer: Sendable {
    /// The layer configuration, as handed to the IPCPs that enroll here.
    let config: ipcp_config_msg
    let forwarder: Forwarder
    private let connections: ConnectionManager
    private let enrollment: EnrollmentResponder

    init(config: ipcp_config_msg, connections: ConnectionManager) throws(OuroError) {
        self.config = config
        self.connections = connections
        forwarder = try Forwarder(connections: connections)
        enrollment = EnrollmentResponder(config: config)
    }

    func start() {
        connections.register(DTNeighbours(forwarder: forwarder), for: .dataTransfer)
        connections.register(enrollment, for: .enrollment)
        forwarder.start()
        connections.start()
    }

    func stop() {
        connections.stop()
        forwarder.stop()
        enrollment.stop()
    }
}
