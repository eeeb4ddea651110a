/// Round-trip time and retransmission timeout, all in nanoseconds (spec
/// host.md §6.7): Jacobson/Karels smoothing with the Linux-style slower decay
/// of the deviation, `rto = srtt + 4·mdev`, floored at 250 µs.
struct RTTEstimator: Sendable, Equatable {
    static let minimumRTO: Int64 = 250_000
    static let minimumSRTT: Int64 = 1_000
    static let minimumDeviation: Int64 = 100
    /// `rto = srtt + (mdev << 2)`.
    static let deviationShift: Int64 = 2

    /// The most a timeout grows to by backing off (the reference's bound).
    static let maximumRTO: Int64 = 60_000_000_000
    /// Back-off stops doubling the timeout once it reaches this (or at the
    /// estimate itself when that is longer). With exponential back-off the
    /// expected wait for a packet whose every retransmission round fails with
    /// probability p grows without bound once p ≥ 1/2: at 30% loss in both
    /// directions (p ≈ 0.51) one unlucky packet held a flow for its whole
    /// 120 s. A flow resends only its oldest packet per timeout, so the load
    /// this adds is one packet per second at most.
    static let maximumBackedOffRTO: Int64 = 1_000_000_000
    /// And at most this many doublings (8×): with p ≈ 0.5 even three more
    /// doublings add more waiting than they save; the estimate, which follows
    /// the link under loss (see `FRCTState.sent`), carries the rest.
    static let maximumBackOffs = 3

    /// Smoothed RTT; 0 until the first sample.
    private(set) var srtt: Int64 = 0
    /// Mean deviation.
    private(set) var mdev: Int64 = 10_000_000
    /// The timeout the estimate gives; 1 s until the first sample.
    private(set) var baseRTO: Int64 = 1_000_000_000
    /// Doublings since the last sample or progress.
    private(set) var backOffs = 0

    /// Retransmission timeout: the estimate, doubled per back-off.
    var rto: Int64 { min(baseRTO << Int64(backOffs), max(baseRTO, Self.maximumBackedOffRTO)) }

    /// Folds in one measured RTT (and ends any back-off).
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
        baseRTO = max(Self.minimumRTO, srtt + (mdev << Self.deviationShift))
        backOffs = 0
    }

    /// A retransmission timed out again: double the timeout. Unlike the
    /// reference, where the doubling lasts until the next sample, it also ends
    /// when an acknowledgement shows progress (`endBackOff`), as in Linux:
    /// under steady loss clean samples are rare, and the doublings would pile up.
    mutating func backOff() {
        if backOffs < Self.maximumBackOffs && rto < Self.maximumBackedOffRTO { backOffs += 1 }
    }

    /// Ends any back-off: new data was acknowledged (or the flow is being
    /// deallocated, see `FRCTState`).
    mutating func endBackOff() { backOffs = 0 }
}
