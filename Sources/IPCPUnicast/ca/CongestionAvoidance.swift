import DevKit

/// A congestion avoidance policy (ipcps.md §6.6): per N+1 flow state at both
/// ends, and the ECN marking applied by every IPCP that sends or forwards.
public protocol CongestionAvoidance: Sendable {
    /// Fresh state for one N+1 flow.
    func makeContext() -> any CongestionContext
    /// The ECN bits to OR into a packet leaving on N-1 flow `flow`, forwarded
    /// or (`originated`) sent from here, while `queued` packets wait in its
    /// send queue of `window` (mb-ecn derives them from how full it is).
    func marking(_ flow: Flow, queued: Int, window: Int, originated: Bool) -> UInt8
}

/// The per-flow congestion state of one N+1 flow.
public protocol CongestionContext: AnyObject, Sendable {
    /// A `length`-byte packet is about to be sent: nanoseconds to wait first.
    func sending(length: Int) -> UInt64
    /// A packet arrived with `ecn` in its PCI: the congestion level to report
    /// to the sender in a FLOW_UPDATE, if a report is due.
    func received(length: Int, ecn: UInt8) -> UInt16?
    /// The receiver reported congestion level `ece`.
    func congestionReported(_ ece: UInt16)
    /// The state as name-value pairs, for `irm ipcp info ... flows`.
    var summary: [(String, String)] { get }
}
