import DevKit
import IPCPCommon

/// A PDU forwarding table (ipcps.md §6.9.9): for a destination address, the
/// N-1 flow to send a packet on. One table per QoS cube; the routing policy
/// creates them (it chooses the table policy) and fills them, the data
/// transfer only asks `nextHop`. Implementations are thread-safe: `nextHop`
/// runs on every packet, concurrently with updates.
public protocol ForwardingTable: AnyObject, Sendable {
    /// The N-1 flow towards `destination`; nil: no route (the packet is dropped).
    func nextHop(_ destination: Address) -> Flow?
    /// Replaces every entry at once: destination → next-hop flows, preferred first.
    func replace(with entries: [Address: [Flow]])
    /// The N-1 flow went down or came back up (only alternate tables react).
    func flowStateChanged(_ flow: Flow, up: Bool)
    /// Every destination with its next hops, the one in use first.
    var entries: [Address: [Flow]] { get }
}
