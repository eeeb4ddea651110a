import Logging
import Synchronization

/// Counts packets a component dropped, per reason, and logs them without
/// flooding: a line at the 1st, 2nd, 4th, 8th, ... drop of each reason.
public final class DropCounter: Sendable {
    private let counts = Mutex<[String: UInt64]>([:])
    private let log: Logger

    public init(label: String) { log = Logger(label: label) }

    /// Counts one drop for `reason`.
    public func drop(_ reason: String) {
        let n = counts.withLock { c -> UInt64 in
            c[reason, default: 0] += 1
            return c[reason]!
        }
        if n & (n - 1) == 0 { log.warning("Dropped packet: \(reason) (\(n) so far).") }
    }

    /// How many drops of `reason` were counted.
    public func count(_ reason: String) -> UInt64 { counts.withLock { $0[reason] ?? 0 } }

    /// Every reason with its count.
    public var all: [String: UInt64] { counts.withLock { $0 } }
}
