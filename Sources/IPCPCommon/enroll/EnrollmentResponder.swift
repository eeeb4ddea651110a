import DevKit
import Logging

/// The enroller's side of enrollment (ipcps.md §6.8): answers each
/// Enrollment connection with the layer configuration (whose DHT peer is
/// this IPCP), then reads the acknowledgement. One enrollment at a time.
public final class EnrollmentResponder: ConnectionListener {
    /// How long the responder waits for the request and the acknowledgement.
    /// [ref-quirk] fixed: the reference waits forever for them.
    static let receiveTimeout = Duration.seconds(10)

    private let config: ipcp_config_msg
    private let queue = SerialQueue()
    private let log = Logger(label: "enrollment")

    public init(config: ipcp_config_msg) { self.config = config }

    public func stop() { queue.stop() }

    public func connectionAdded(_ connection: Connection) {
        queue.submit { [self] in serve(connection.flow) }
    }

    public func connectionRemoved(_ connection: Connection) {}

    public func connectionStateChanged(_ connection: Connection, up: Bool) {}

    private func serve(_ flow: Flow) {
        defer { try? flow.deallocate() }
        let request: EnrollRequest
        do {
            try flow.setReceiveTimeout(EnrollmentResponder.receiveTimeout)
            request = try EnrollRequest(parsing: try flow.read(maxLength: Enrollment.maxLength))
        } catch {
            log.error("Failed to read enrollment request: \(error).")
            return
        }
        let now = Enrollee.realtimeNanoseconds()
        let response = EnrollResponse(id: request.id, seconds: now / 1_000_000_000,
                                      nanoseconds: Int32(now % 1_000_000_000), response: 0, config: config)
        do {
            try flow.write(response.serialize())
        } catch {
            log.error("Failed to send enrollment response: \(error).")
            return
        }
        guard let ack = try? EnrollAck(parsing: try flow.read(maxLength: Enrollment.maxLength)) else {
            log.warning("No enrollment acknowledgement.")
            return
        }
        if ack.id != request.id { log.warning("Enrollment acknowledgement for another request.") }
        if ack.result == 0 {
            log.info("Enrollment completed.")
        } else {
            log.warning("Enrollment failed at the enrollee: \(ack.result).")
        }
    }
}
