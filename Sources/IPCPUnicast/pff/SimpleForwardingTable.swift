import Synchronization

/// The simple PFF: one fd per destination (the first of each entry).
public final class SimpleForwardingTable: PacketForwarding {
    private let table = Mutex<[UInt64: Int32]>([:])

    public init() {}

    public func nextHop(for destination: UInt64) -> Int32? {
        table.withLock { $0[destination] }
    }

    public func replace(with entries: [ForwardingEntry]) {
        var fresh: [UInt64: Int32] = [:]
        for entry in entries {
            guard let fd = entry.fds.first, fresh[entry.destination] == nil else { continue }
            fresh[entry.destination] = fd
        }
        table.withLock { $0 = fresh }
    }

    /// Adds one entry; false (and no change) if `destination` is present or
    /// `fds` is empty.
    @discardableResult
    public func add(_ destination: UInt64, fds: [Int32]) -> Bool {
        guard let fd = fds.first else { return false }
        return table.withLock { t in
            guard t[destination] == nil else { return false }
            t[destination] = fd
            return true
        }
    }

    /// Removes the entry for `destination`; false if there was none.
    @discardableResult
    public func remove(_ destination: UInt64) -> Bool {
        table.withLock { $0.removeValue(forKey: destination) != nil }
    }

    /// The simple policy keeps no alternates, so flow state changes nothing.
    public func flowStateChanged(fd: Int32, up: Bool) {}

    /// The number of destinations.
    public var count: Int { table.withLock { $0.count } }
}
