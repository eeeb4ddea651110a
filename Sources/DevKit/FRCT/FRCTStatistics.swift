/// Per-flow FRCT counters and RTT state, read with `Flow.frctStatistics()`.
public struct FRCTStatistics: Sendable, Equatable {
    /// Data packets sent (first transmissions).
    public var sent = 0
    /// Retransmissions.
    public var retransmitted = 0
    /// Data packets received again (already delivered or already queued).
    public var duplicates = 0
    /// Data packets received ahead of a missing one.
    public var outOfOrder = 0
    /// Data packets dropped outside the receive window or reorder queue.
    public var outOfWindow = 0
    /// Rendezvous probes sent.
    public var rendezvous = 0
    /// Smoothed round-trip time (0 before the first sample).
    public var srtt: Duration = .zero
    /// Current retransmission timeout.
    public var rto: Duration = .zero

    public init() {}
}
