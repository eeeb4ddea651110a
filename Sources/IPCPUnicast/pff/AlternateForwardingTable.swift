import DevKit
import IPCPCommon
import Synchronization

/// The alternate PFF for loop-free alternates (ipcps.md §6.9.9): each
/// destination keeps its primary next hop and the alternates the LFA routing
/// table lists after it. When an N-1 flow goes down, every destination using
/// it switches at once to its first alternate not known to be down; when the
/// flow comes back, destinations whose primary it is switch back.
///
/// Unlike the reference, the set of down flows survives `replace(with:)`: a
/// recalculation while a flow is down (its adjacency stays announced until
/// the connection is removed) keeps avoiding it instead of reinstating it.
public final class AlternateForwardingTable: ForwardingTable {
    private struct Entry {
        /// Next hops, the one in use first.
        var flows: [Flow]
        /// The primary next hop as the routing table gave it.
        let primary: Flow
    }

    private struct State {
        var entries: [Address: Entry] = [:]
        var down: Set<Flow> = []
    }

    private let state = Mutex(State())

    public init() {}

    public func nextHop(_ destination: Address) -> Flow? {
        state.withLock { $0.entries[destination]?.flows.first }
    }

    public func replace(with entries: [Address: [Flow]]) {
        state.withLock { s in
            s.entries = entries.compactMapValues { flows in
                flows.first.map { Entry(flows: flows, primary: $0) }
            }
            for flow in s.down { Self.avoid(flow, in: &s) }
        }
    }

    public func flowStateChanged(_ flow: Flow, up: Bool) {
        state.withLock { s in
            if up {
                guard s.down.remove(flow) != nil else { return }
                for (destination, entry) in s.entries where entry.primary == flow && entry.flows.first != flow {
                    guard let i = entry.flows.firstIndex(of: flow) else { continue }
                    s.entries[destination]?.flows.swapAt(0, i)
                }
            } else {
                s.down.insert(flow)
                Self.avoid(flow, in: &s)
            }
        }
    }

    /// Every destination whose current next hop is `flow` moves to its first
    /// alternate that is not down (swapped with the current one); without one
    /// it stays as it is.
    private static func avoid(_ flow: Flow, in s: inout State) {
        for (destination, entry) in s.entries where entry.flows.first == flow {
            guard let i = entry.flows.indices.dropFirst().first(where: { !s.down.contains(entry.flows[$0]) })
            else { continue }
            s.entries[destination]?.flows.swapAt(0, i)
        }
    }

    public var entries: [Address: [Flow]] { state.withLock { $0.entries.mapValues(\.flows) } }

    /// The next hops of `destination` in their current order (the one in use first).
    public func nextHops(_ destination: Address) -> [Flow] {
        state.withLock { $0.entries[destination]?.flows ?? [] }
    }
}
