import DevKit
import IPCPCommon
import Synchronization

/// The simple PFF (ipcps.md §6.9.9): one N-1 flow per destination, the first
/// next hop of each entry.
public final class SimpleForwardingTable: ForwardingTable {
    private let table = Mutex<[Address: Flow]>([:])

    public init() {}

    public func nextHop(_ destination: Address) -> Flow? {
        table.withLock { $0[destination] }
    }

    public func replace(with entries: [Address: [Flow]]) {
        let fresh = entries.compactMapValues(\.first)
        table.withLock { $0 = fresh }
    }

    /// Adds one entry; false (and no change) if `destination` is present or
    /// `flows` is empty.
    @discardableResult
    public func add(_ destination: Address, flows: [Flow]) -> Bool {
        guard let flow = flows.first else { return false }
        return table.withLock { t in
            guard t[destination] == nil else { return false }
            t[destination] = flow
            return true
        }
    }

    /// Removes the entry for `destination`; false if there was none.
    @discardableResult
    public func remove(_ destination: Address) -> Bool {
        table.withLock { $0.removeValue(forKey: destination) != nil }
    }

    /// The simple policy keeps no alternates, so flow state changes nothing.
    public func flowStateChanged(_ flow: Flow, up: Bool) {}

    public var entries: [Address: [Flow]] { table.withLock { $0.mapValues { [$0] } } }

    /// The number of destinations.
    public var count: Int { table.withLock { $0.count } }
}
