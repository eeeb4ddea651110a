import Logging
import Synchronization

/// What the Ethernet IPCP refused or lost, counted per reason. A reason is
/// logged when its count reaches 1, 10, 100, ... so that a flood of bad
/// frames costs a handful of log lines.
public final class DropCounters: Sendable {
    public enum Reason: Int, CaseIterable, Sendable {
        case short, badLength, otherProtocol, truncated
        case unknownEndpoint, wrongSource
        case managementTooLong, managementMalformed, managementQueueFull
        case poolExhausted, flowFull
        case oversized, sendFailed, kernelDrops

        /// The words used in log lines.
        public var text: String {
            switch self {
            case .short: return "frame shorter than its header"
            case .badLength: return "length field beyond the frame"
            case .otherProtocol: return "frame of another protocol"
            case .truncated: return "frame larger than the receive ring's slots"
            case .unknownEndpoint: return "frame for an endpoint that is not ours"
            case .wrongSource: return "frame from a peer the flow does not belong to"
            case .managementTooLong: return "management frame too long"
            case .managementMalformed: return "malformed management message"
            case .managementQueueFull: return "management queue full"
            case .poolExhausted: return "no packet buffer for a received frame"
            case .flowFull: return "N+1 flow not read fast enough"
            case .oversized: return "packet larger than the layer's MTU"
            case .sendFailed: return "frame the device did not take"
            case .kernelDrops: return "frame the kernel dropped (socket buffer or ring full)"
            }
        }
    }

    private let counts = Mutex([Int](repeating: 0, count: Reason.allCases.count))
    private let log: Logger

    public init(log: Logger) { self.log = log }

    /// Counts `n` drops of `reason`.
    public func count(_ reason: Reason, _ n: Int = 1) {
        guard n > 0 else { return }
        let (before, total) = counts.withLock { c -> (Int, Int) in
            c[reason.rawValue] += n
            return (c[reason.rawValue] - n, c[reason.rawValue])
        }
        var mark = 1
        while mark <= before { mark *= 10 }
        if mark <= total { log.warning("Dropped \(reason.text): \(total) so far.") }
    }

    /// The drops of `reason` so far.
    public func value(_ reason: Reason) -> Int { counts.withLock { $0[reason.rawValue] } }

    /// Every non-zero count, for the log at shutdown.
    public var summary: String {
        Reason.allCases.compactMap { r in
            let v = value(r)
            return v > 0 ? "\(r.text): \(v)" : nil
        }.joined(separator: "; ")
    }
}
