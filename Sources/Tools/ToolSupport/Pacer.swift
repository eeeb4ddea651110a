#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// Sends at a constant rate: packet k is due at `start + k·gap` on the
/// monotonic clock. A sender that falls more than `maximumLagNanoseconds`
/// behind starts a new schedule from now instead of bursting to catch up.
public struct Pacer: Sendable {
    /// How far behind the schedule a sender may catch up in a burst.
    public static let maximumLagNanoseconds: UInt64 = 10_000_000

    /// Nanoseconds between packets.
    public let gap: UInt64
    /// Sleep until a packet is due rather than spin.
    public let sleeps: Bool
    private var due: UInt64

    public init(gapNanoseconds: UInt64, sleeps: Bool, start: UInt64 = Deadline.now.nanoseconds) {
        gap = gapNanoseconds
        self.sleeps = sleeps
        due = start
    }

    /// The gap for `size`-byte packets at `rate` bit/s.
    public static func gap(size: Int, rate: Int) -> UInt64 {
        UInt64(max(Double(size) * 8 * (1e9 / Double(rate)), 0))
    }

    /// Moves to the next packet, sent at `now`; returns when it is due.
    public mutating func advance(now: UInt64) -> UInt64 {
        due &+= gap
        if now > due &+ Pacer.maximumLagNanoseconds { due = now }
        return due
    }

    /// Waits until the next packet is due.
    public mutating func waitForNext() {
        let until = advance(now: Deadline.now.nanoseconds)
        if sleeps {
            var ts = Deadline(nanoseconds: until).timespec
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
        } else {
            while Deadline.now.nanoseconds < until {}
        }
    }
}
