import Synchronization

/// Where names live as a shim IPCP learned it: (digest, address) pairs, the
/// address being a MAC, IPv4 or IPv6 address (ipcps.md §2.12). Entries stay
/// until removed; a lookup answers the most recently added address.
public final class ShimDirectory<Address: Hashable & Sendable>: Sendable {
    private struct Entry: Hashable {
        let digest: [UInt8]
        let address: Address
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Adds a pair; returns false (and changes nothing) if it is already present.
    @discardableResult
    public func add(_ digest: [UInt8], address: Address) -> Bool {
        let entry = Entry(digest: digest, address: address)
        return entries.withLock { list in
            guard !list.contains(entry) else { return false }
            list.append(entry)
            return true
        }
    }

    /// Removes a pair if present.
    public func remove(_ digest: [UInt8], address: Address) {
        let entry = Entry(digest: digest, address: address)
        entries.withLock { $0.removeAll { $0 == entry } }
    }

    /// True if some address is known for `digest`.
    public func contains(_ digest: [UInt8]) -> Bool {
        address(of: digest) != nil
    }

    /// The most recently added address for `digest`.
    public func address(of digest: [UInt8]) -> Address? {
        entries.withLock { list in list.last { $0.digest == digest }?.address }
    }
}
