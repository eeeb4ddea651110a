import DevKit

/// The path algorithm of a link-state layer (`ls.pol`, ipcps.md §6.9.1); it
/// also selects the PFF type.
public enum PathPolicy: UInt32, Sendable, CaseIterable {
    case simple = 0
    /// Loop-free alternates.
    case lfa = 1
    /// Equal-cost multipath.
    case ecmp = 2
}

/// Link-state routing parameters (ipcps.md §6.9.1); timers in seconds.
public struct LinkStateConfig: Sendable, Equatable {
    public var policy: PathPolicy
    /// Recalculation period of the forwarding tables.
    public var recalculationInterval: Double
    /// LSA refresh period.
    public var updateInterval: Double
    /// Adjacency timeout.
    public var timeout: Double

    public init(policy: PathPolicy = .simple, recalculationInterval: Double = 4,
                updateInterval: Double = 15, timeout: Double = 60) {
        self.policy = policy
        self.recalculationInterval = recalculationInterval
        self.updateInterval = updateInterval
        self.timeout = timeout
    }

    public enum ConfigError: Error, Equatable {
        case unknownPolicy(UInt32)
        case zeroTimer
    }

    /// From the layer configuration's `ls_config_msg`.
    public init(_ msg: ls_config_msg) throws(ConfigError) {
        guard let policy = PathPolicy(rawValue: msg.pol) else { throw .unknownPolicy(msg.pol) }
        guard msg.tRecalc > 0, msg.tUpdate > 0, msg.tTimeo > 0 else { throw .zeroTimer }
        self.init(policy: policy, recalculationInterval: Double(msg.tRecalc),
                  updateInterval: Double(msg.tUpdate), timeout: Double(msg.tTimeo))
    }
}
