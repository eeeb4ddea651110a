import DevKit

/// The routing part of a unicast layer's configuration (`routing_config_msg`).
public enum RoutingConfig: Sendable, Equatable {
    case linkState(LinkStateConfig)

    /// Reads the message; an unknown policy or a link-state policy without its
    /// parameters is `.invalid`.
    public init(_ m: routing_config_msg) throws(OuroError) {
        guard m.pol == 0, m.hasLs else { throw OuroError.invalid }
        self = .linkState(try LinkStateConfig(m.ls))
    }

    public var message: routing_config_msg {
        var m = routing_config_msg()
        switch self {
        case .linkState(let ls):
            m.pol = 0
            m.ls = ls.message
        }
        return m
    }
}

/// Link-state routing parameters (`ls_config_msg`, ipcps.md §6.9.1).
public struct LinkStateConfig: Sendable, Equatable {
    /// The path computation, which also selects the forwarding-table policy.
    public enum Policy: UInt32, Sendable {
        /// Shortest paths, one next hop (simple table).
        case simple = 0
        /// Loop-free alternates (alternate table).
        case loopFreeAlternates = 1
        /// Equal-cost multipath (multipath table).
        case equalCostMultipath = 2
    }

    public var policy: Policy
    /// Seconds between forwarding-table recalculations.
    public var recalcSeconds: UInt32
    /// Seconds between LSA refreshes.
    public var updateSeconds: UInt32
    /// Seconds after which an adjacency not refreshed is dropped.
    public var timeoutSeconds: UInt32

    public init(policy: Policy = .simple, recalcSeconds: UInt32 = 4, updateSeconds: UInt32 = 15,
                timeoutSeconds: UInt32 = 60) {
        self.policy = policy
        self.recalcSeconds = recalcSeconds
        self.updateSeconds = updateSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    public init(_ m: ls_config_msg) throws(OuroError) {
        guard let policy = Policy(rawValue: m.pol) else { throw OuroError.invalid }
        self.init(policy: policy, recalcSeconds: m.tRecalc, updateSeconds: m.tUpdate, timeoutSeconds: m.tTimeo)
    }

    public var message: ls_config_msg {
        var m = ls_config_msg()
        m.pol = policy.rawValue
        m.tRecalc = recalcSeconds
        m.tUpdate = updateSeconds
        m.tTimeo = timeoutSeconds
        return m
    }
}
