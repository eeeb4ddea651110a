import Synchronization

/// The names registered at a shim IPCP (local, UDP, Ethernet), by digest
/// (ipcps.md §2.12). Adding a present digest and removing an absent one succeed.
public final class ShimRegistry: Sendable {
    private let digests = Mutex<Set<[UInt8]>>([])

    public init() {}

    /// Registers `digest`.
    public func add(_ digest: [UInt8]) {
        _ = digests.withLock { $0.insert(digest) }
    }

    /// Unregisters `digest`.
    public func remove(_ digest: [UInt8]) {
        _ = digests.withLock { $0.remove(digest) }
    }

    /// True if `digest` is registered.
    public func contains(_ digest: [UInt8]) -> Bool {
        digests.withLock { $0.contains(digest) }
    }
}
