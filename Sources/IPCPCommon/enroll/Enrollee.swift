#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging

/// The joining side of enrollment (ipcps.md §6.8): asks the IPCP at
/// `destination` for the layer's configuration over an Enrollment
/// connection, lets `join` bring the components up with it, and
/// acknowledges. A failure after the response only drops the flow (the
/// enrollee never sends a negative acknowledgement).
public enum Enrollee {
    /// Above this much clock difference plus round trip a warning is logged.
    static let clockSkewWarningNanoseconds: Int64 = 20_000_000

    public static func enroll<T>(through connections: ConnectionManager, destination: String, type: IPCPType,
                                 join: (ipcp_config_msg) throws(OuroError) -> T) throws(OuroError) -> T {
        let log = Logger(label: "enrollment")
        let connection = try connections.allocate(.enrollment, to: destination, qos: .raw)
        let flow = connection.flow
        defer { try? flow.deallocate() }
        let request = EnrollRequest.random()
        let sent = realtimeNanoseconds()
        let started = Deadline.now
        let response: EnrollResponse
        do throws(OuroError) {
            // The 1 s OCEP receive timeout still holds: the answer must be quick (§10 item 39).
            try flow.write(request.serialize())
            response = try EnrollResponse(parsing: try flow.read(maxLength: Enrollment.maxLength))
        } catch {
            log.error("Failed to get enrollment response from \(destination): \(error).")
            throw OuroError.failure
        }
        guard response.id == request.id else {
            log.error("Enrollment response for another request.")
            throw OuroError.failure
        }
        guard response.response >= 0, let config = response.config else {
            log.error("Enrollment refused by \(destination): \(response.response).")
            throw OuroError(result: response.response < 0 ? response.response : -1)
        }
        guard config.ipcpType == type.rawValue else {
            log.error("Wrong type in enrollment response: \(config.ipcpType).")
            throw OuroError.ipcpType
        }
        let rtt = Int64(Deadline.now.nanoseconds - started.nanoseconds)
        let remote = response.seconds * 1_000_000_000 + Int64(response.nanoseconds)
        let delta = abs(remote - sent) + rtt
        if delta > clockSkewWarningNanoseconds {
            log.warning("Clock offset above threshold: \(delta / 1_000_000) ms.")
        }
        let joined = try join(config)
        if (try? flow.write(EnrollAck(id: request.id, result: 0).serialize())) == nil {
            log.warning("Failed to acknowledge enrollment.")
        }
        return joined
    }

    /// The realtime clock in nanoseconds.
    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
