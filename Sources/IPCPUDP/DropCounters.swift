import Logging
import Synchronization

/// Why a received datagram or a packet to send was dropped.
enum DropReason: Int, CaseIterable, Sendable {
    case short, truncated, unknownEID, foreignSource, flowNotReady, badManagement
    case wrongReplyAddress, unexpectedReply, managementBacklog, deliveryFailed, oversizedSDU, noRemoteEID, sendFailed

    var text: String {
        switch self {
        case .short: return "datagram shorter than its header"
        case .truncated: return "datagram larger than the maximum packet"
        case .unknownEID: return "datagram for an unknown endpoint id"
        case .foreignSource: return "datagram for an endpoint id of another peer"
        case .flowNotReady: return "datagram for a flow not yet accepted"
        case .badManagement: return "malformed management datagram"
        case .wrongReplyAddress: return "flow reply from the wrong address"
        case .unexpectedReply: return "flow reply for no pending allocation"
        case .managementBacklog: return "management datagram (backlog full)"
        case .deliveryFailed: return "packet the application could not take in time"
        case .oversizedSDU: return "SDU larger than the maximum packet"
        case .noRemoteEID: return "SDU for a flow without a remote endpoint"
        case .sendFailed: return "datagram the kernel refused to send"
        }
    }
}

/// Counts drops per reason and logs the first eight of each, then the 16th,
/// 32nd, 64th..., so a flood of bad datagrams costs a few log lines.
final class DropCounters: Sendable {
    private let counts = Mutex([Int](repeating: 0, count: DropReason.allCases.count))
    private let log: Logger

    init(log: Logger) { self.log = log }

    func drop(_ reason: DropReason, _ detail: @autoclosure () -> String = "") {
        let n = counts.withLock { c -> Int in
            c[reason.rawValue] += 1
            return c[reason.rawValue]
        }
        guard n <= 8 || n & (n - 1) == 0 else { return }
        let d = detail()
        log.warning("Dropped \(reason.text)\(d.isEmpty ? "" : " (\(d))"); \(n) so far.")
    }

    func count(_ reason: DropReason) -> Int { counts.withLock { $0[reason.rawValue] } }

    /// "reason: n" for every reason with drops.
    var summary: String {
        DropReason.allCases.compactMap { r in
            let n = count(r)
            return n == 0 ? nil : "\(r.text): \(n)"
        }.joined(separator: ", ")
    }
}
