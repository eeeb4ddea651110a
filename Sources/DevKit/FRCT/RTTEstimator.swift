/// Round-trip time and retransmission timeout, all in nanoseconds (spec
/// host.md §6.7): Jacobson/Karels smoothing with the Linux-style slower decay
/// of the deviation, `rto = srtt + 4·mdev`, floored at 250 µs.
struct RTTEstimator: Sendable, Equatable {
    static let minimumRTO: Int64 = 250_000
    static let minimumSRTT: Int64 = 1_000
    static let minimumDeviation: Int64 = 100
    /// `rto = srtt + (mdev << 2)`.
    static let deviationShift: Int64 = 2

    /// Smoothed RTT; 0 until the first sample.
    private(set) var srtt: Int64 = 0
    /// Mean deviation.
    private(set) var mdev: Int64 = 10_000_000
    /// Retransmission timeout; 1 s until the first sample.
    private(set) var rto: Int64 = 1_000_000_000

    /// Folds in one measured RTT.
    mutating func sample(_ m: Int64) {
        var s = srtt
        var v = mdev
        if s == 0 {
            s = m
            v = m >> 1
        } else {
            var d = m - s
            s += d >> 3
            d = (abs(d) - v) >> 2
            if d < 0 { d >>= 3 }
            v += d
        }
        srtt = max(Self.minimumSRTT, s)
        mdev = max(Self.minimumDeviation, v)
        rto = max(Self.minimumRTO, srtt + (mdev << Self.deviationShift))
    }

    /// The RTT probe itself had to be retransmitted: double the timeout.
    mutating func backOff() { rto += rto }
}
