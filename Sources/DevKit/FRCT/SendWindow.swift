/// Rendezvous bookkeeping of a sender whose flow-control window is closed
/// (spec host.md §6.5): when it closed, and when the last rendezvous probe
/// (RDVS) went out. Times are monotonic nanoseconds.
struct SendWindow: Sendable, Equatable {
    /// Probes while closed for up to `maxRendezvous`, every `rendezvousInterval`.
    static let rendezvousInterval: Int64 = 100_000_000
    static let maxRendezvous: Int64 = 1_000_000_000
    /// After that, one probe per `lateRendezvousInterval`.
    static let lateRendezvousInterval: Int64 = 1_000_000_000

    /// What a sender finds when its window is closed.
    struct Closed: Equatable {
        /// Send a rendezvous probe now.
        var rendezvous: Bool
        /// Closed for longer than `maxRendezvous` (a blocking write with a
        /// send timeout then fails with `ECONNRESET`).
        var expired: Bool
    }

    /// Reference defect fixed here: the reference starts "closed since the
    /// epoch" until the first window update arrives, so a window that closes
    /// before any FC counts as closed for over a second at once (no probe is
    /// ever sent, a timed write fails with ECONNRESET). We start open, so the
    /// first closing is timed like any other.
    private(set) var isOpen = true
    private(set) var closedSince: Int64 = 0
    private(set) var lastRendezvous: Int64 = 0

    /// A window update arrived.
    mutating func opened() { isOpen = true }

    /// The window is closed at `now`. Unlike the reference, which stops probing
    /// after one second, probes continue (once a second), so a lost window
    /// update cannot stall a flow forever; the probes are ordinary RDVS packets.
    mutating func closed(now: Int64) -> Closed {
        if isOpen {
            isOpen = false
            closedSince = now
            lastRendezvous = now
            return Closed(rendezvous: false, expired: false)
        }
        let closedFor = now - closedSince
        let interval = closedFor > Self.maxRendezvous ? Self.lateRendezvousInterval : Self.rendezvousInterval
        var probe = false
        if now - lastRendezvous > interval {
            lastRendezvous = now
            probe = true
        }
        return Closed(rendezvous: probe, expired: closedFor > Self.maxRendezvous)
    }
}
