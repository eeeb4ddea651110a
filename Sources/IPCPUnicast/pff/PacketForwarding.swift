/// A destination and the N-1 flows (fds) towards it, the preferred first.
public struct ForwardingEntry: Sendable, Equatable {
    public let destination: UInt64
    public let fds: [Int32]

    public init(destination: UInt64, fds: [Int32]) {
        self.destination = destination
        self.fds = fds
    }
}

/// A packet forwarding function (PFF, ipcps.md §6.9.9): the per-packet
/// next-hop lookup of the data transfer component, filled by routing. One type
/// per policy; routing replaces the whole table at every recalculation.
public protocol PacketForwarding: AnyObject, Sendable {
    /// The N-1 flow to send a packet for `destination` on, nil if none (drop).
    func nextHop(for destination: UInt64) -> Int32?

    /// Flushes the table and installs `entries` in one step.
    func replace(with entries: [ForwardingEntry])

    /// An N-1 DT flow went down or came back up.
    func flowStateChanged(fd: Int32, up: Bool)
}

extension PathPolicy {
    /// A new, empty PFF of the type this path policy feeds. The alternate (LFA)
    /// and multipath (ECMP) PFFs are not written yet: until then those
    /// policies forward on their first next hop.
    public func makeForwardingTable() -> any PacketForwarding {
        switch self {
        case .simple, .lfa, .ecmp:
            return SimpleForwardingTable()
        }
    }
}
