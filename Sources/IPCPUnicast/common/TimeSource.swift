#if canImport(Glibc)
import Glibc
#endif

/// Where the routing and directory components read the time: seconds since the
/// UNIX epoch (the reference stamps LSDB entries and DHT expiry times with the
/// realtime clock). Tests inject a clock they advance by hand.
public protocol TimeSource: Sendable {
    /// Seconds since 1970-01-01 UTC.
    var now: Double { get }
}

/// CLOCK_REALTIME.
public struct SystemTime: TimeSource {
    public init() {}

    public var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
