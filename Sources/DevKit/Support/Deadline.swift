#if canImport(Glibc)
import Glibc
#endif

/// A point on CLOCK_MONOTONIC, in nanoseconds.
public struct Deadline: Sendable, Comparable, Hashable {
    /// Nanoseconds since the monotonic clock's epoch.
    public let nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The current monotonic time.
    public static var now: Deadline {
        var ts = Glibc.timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// Now plus `ms` milliseconds.
    public static func after(milliseconds ms: Int) -> Deadline { now.adding(nanoseconds: UInt64(max(ms, 0)) * 1_000_000) }

    /// This deadline moved `ns` later.
    public func adding(nanoseconds ns: UInt64) -> Deadline { Deadline(nanoseconds: nanoseconds &+ ns) }

    /// True once the deadline is reached.
    public var hasPassed: Bool { Deadline.now >= self }

    /// Nanoseconds left (0 when passed).
    public var remainingNanoseconds: UInt64 {
        let n = Deadline.now.nanoseconds
        return nanoseconds > n ? nanoseconds - n : 0
    }

    /// As an absolute timespec on CLOCK_MONOTONIC.
    public var timespec: Glibc.timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.nanoseconds < b.nanoseconds }
}
