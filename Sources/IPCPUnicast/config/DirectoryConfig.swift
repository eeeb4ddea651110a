import DevKit
import IPCPCommon

/// The directory part of a unicast layer's configuration (`dir_config_msg`).
public enum DirectoryConfig: Sendable, Equatable {
    case dht(DHTConfig)

    /// Reads the message; an unknown policy or a DHT without its parameters is `.invalid`.
    public init(_ m: dir_config_msg) throws(OuroError) {
        guard m.pol == 0, m.hasDht else { throw OuroError.invalid }
        self = .dht(DHTConfig(m.dht))
    }

    public var message: dir_config_msg {
        var m = dir_config_msg()
        switch self {
        case .dht(let dht):
            m.pol = 0
            m.dht = dht.message
        }
        return m
    }

    /// The same configuration with the DHT's bootstrap peer replaced.
    public func withPeer(_ peer: Address) -> DirectoryConfig {
        switch self {
        case .dht(var dht):
            dht.peer = peer
            return .dht(dht)
        }
    }
}

/// DHT parameters (`dir_dht_config_msg`, ipcps.md §6.10.1).
public struct DHTConfig: Sendable, Equatable {
    /// Lookup parallelism.
    public var alpha: UInt32
    /// Bucket size and replication factor.
    public var k: UInt32
    /// Lifetime of a published value, in seconds.
    public var expireSeconds: UInt32
    /// Contact refresh period, in seconds.
    public var refreshSeconds: UInt32
    /// Replication period, in seconds.
    public var replicateSeconds: UInt32
    /// The peer to bootstrap the DHT through (the enroller); `.none` in the
    /// IPCP that bootstrapped the layer.
    public var peer: Address

    public init(alpha: UInt32 = 3, k: UInt32 = 8, expireSeconds: UInt32 = 86400, refreshSeconds: UInt32 = 900,
                replicateSeconds: UInt32 = 900, peer: Address = .none) {
        self.alpha = alpha
        self.k = k
        self.expireSeconds = expireSeconds
        self.refreshSeconds = refreshSeconds
        self.replicateSeconds = replicateSeconds
        self.peer = peer
    }

    public init(_ m: dir_dht_config_msg) {
        self.init(alpha: m.alpha, k: m.k, expireSeconds: m.tExpire, refreshSeconds: m.tRefresh,
                  replicateSeconds: m.tReplicate, peer: Address(m.peer))
    }

    public var message: dir_dht_config_msg {
        var m = dir_dht_config_msg()
        m.alpha = alpha
        m.k = k
        m.tExpire = expireSeconds
        m.tRefresh = refreshSeconds
        m.tReplicate = replicateSeconds
        m.peer = peer.rawValue
        return m
    }
}
