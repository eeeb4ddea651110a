import DevKit
import IPCPCommon
import Synchronization

/// The multipath PFF for equal-cost multipath (ipcps.md §6.9.9): each
/// destination keeps all its equal-cost next hops and successive packets take
/// them in turn (per-packet round robin, so a flow's packets may be reordered).
public final class MultipathForwardingTable: ForwardingTable {
    private struct Entry {
        let flows: [Flow]
        /// The index of the next hop the next packet takes.
        var next = 0
    }

    private let table = Mutex<[Address: Entry]>([:])

    public init() {}

    public func nextHop(_ destination: Address) -> Flow? {
        table.withLock { e in
            guard let entry = e[destination] else { return nil }
            e[destination]?.next = (entry.next + 1) % entry.flows.count
            return entry.flows[entry.next]
        }
    }

    public func replace(with entries: [Address: [Flow]]) {
        let fresh = entries.filter { !$0.value.isEmpty }.mapValues { Entry(flows: $0) }
        table.withLock { $0 = fresh }
    }

    /// The next hops in their stored order (packets take them in turn).
    public var entries: [Address: [Flow]] { table.withLock { $0.mapValues(\.flows) } }

    /// Multipath keeps no alternates: flow state changes nothing.
    public func flowStateChanged(_ flow: Flow, up: Bool) {}
}
