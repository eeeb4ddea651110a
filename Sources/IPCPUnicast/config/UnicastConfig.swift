import DevKit
import IPCPKit

/// The configuration of a unicast layer (`ipcp_config_msg` with `uni_config_msg`,
/// ipcps.md §2.3): what `irm ipcp bootstrap type unicast` sends and what an
/// enroller hands to every IPCP that joins.
public struct UnicastConfig: Sendable, Equatable {
    /// The address authority policies.
    public enum AddressAuthorityPolicy: UInt32, Sendable {
        case flatRandom = 0
    }

    /// The congestion avoidance policies.
    public enum CongestionAvoidancePolicy: UInt32, Sendable {
        case none = 0
        case multiBitECN = 1
    }

    public var layer: LayerInfo
    /// Address size in bytes (8 bits wide, as in the reference; must be 4).
    public var addressSize: UInt8
    /// Endpoint id size in bytes as configured (the DT always uses 8).
    public var eidSize: UInt8
    /// The TTL every packet starts with.
    public var maxTTL: UInt8
    public var routing: RoutingConfig
    public var directory: DirectoryConfig
    public var addressAuthority: AddressAuthorityPolicy
    public var congestionAvoidance: CongestionAvoidancePolicy

    public init(layer: LayerInfo, addressSize: UInt8 = 4, eidSize: UInt8 = 8, maxTTL: UInt8 = 60,
                routing: RoutingConfig = .linkState(LinkStateConfig()), directory: DirectoryConfig = .dht(DHTConfig()),
                addressAuthority: AddressAuthorityPolicy = .flatRandom,
                congestionAvoidance: CongestionAvoidancePolicy = .multiBitECN) {
        self.layer = layer
        self.addressSize = addressSize
        self.eidSize = eidSize
        self.maxTTL = maxTTL
        self.routing = routing
        self.directory = directory
        self.addressAuthority = addressAuthority
        self.congestionAvoidance = congestionAvoidance
    }

    /// Reads a unicast `ipcp_config_msg`. A message for another IPCP type, without
    /// its unicast part, or naming a policy that does not exist is `.invalid`.
    /// The data-transfer sizes are truncated to 8 bits as the reference does.
    public init(_ m: ipcp_config_msg) throws(OuroError) {
        guard m.ipcpType == IPCPType.unicast.rawValue, m.hasUnicast, m.unicast.hasDt, m.unicast.hasDir,
              m.unicast.dt.hasRouting else { throw OuroError.invalid }
        let u = m.unicast
        guard let auth = AddressAuthorityPolicy(rawValue: u.addrAuthType),
              let ca = CongestionAvoidancePolicy(rawValue: u.congAvoid) else { throw OuroError.invalid }
        self.init(layer: try LayerInfo(m.layerInfo),
                  addressSize: UInt8(truncatingIfNeeded: u.dt.addrSize),
                  eidSize: UInt8(truncatingIfNeeded: u.dt.eidSize),
                  maxTTL: UInt8(truncatingIfNeeded: u.dt.maxTtl),
                  routing: try RoutingConfig(u.dt.routing),
                  directory: try DirectoryConfig(u.dir),
                  addressAuthority: auth, congestionAvoidance: ca)
    }

    /// One line for the log: every parameter of the layer.
    public var summary: String {
        var parts = ["layer \(layer.name)", "hash \(layer.hashAlgorithm.logName)",
                     "addr \(addressSize) eid \(eidSize) ttl \(maxTTL)"]
        switch routing {
        case .linkState(let ls):
            parts.append("link-state \(ls.policy) recalc \(ls.recalcSeconds) s update \(ls.updateSeconds) s timeout \(ls.timeoutSeconds) s")
        }
        switch directory {
        case .dht(let dht):
            parts.append("DHT alpha \(dht.alpha) k \(dht.k) expire \(dht.expireSeconds) s refresh \(dht.refreshSeconds) s replicate \(dht.replicateSeconds) s peer \(dht.peer)")
        }
        parts.append("congestion \(congestionAvoidance == .none ? "none" : "mb-ecn")")
        return parts.joined(separator: ", ")
    }

    /// The protobuf form, field for field as the reference fills it.
    public var message: ipcp_config_msg {
        var dt = dt_config_msg()
        dt.addrSize = UInt32(addressSize)
        dt.eidSize = UInt32(eidSize)
        dt.maxTtl = UInt32(maxTTL)
        dt.routing = routing.message
        var u = uni_config_msg()
        u.dt = dt
        u.dir = directory.message
        u.addrAuthType = addressAuthority.rawValue
        u.congAvoid = congestionAvoidance.rawValue
        var m = ipcp_config_msg()
        m.layerInfo = layer.message
        m.ipcpType = IPCPType.unicast.rawValue
        m.unicast = u
        return m
    }
}
