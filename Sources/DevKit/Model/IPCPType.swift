/// The IPCP types, with the reference's enum values (wire-visible).
public enum IPCPType: UInt32, Sendable, CaseIterable {
    case local = 0
    case unicast = 1
    case broadcast = 2
    case ethLLC = 3
    case ethDIX = 4
    case udp4 = 5
    case udp6 = 6

    /// The name used by `irm` and in `irm ipcp list`.
    public var name: String {
        switch self {
        case .local: return "local"
        case .unicast: return "unicast"
        case .broadcast: return "broadcast"
        case .ethLLC: return "eth-llc"
        case .ethDIX: return "eth-dix"
        case .udp4: return "udp4"
        case .udp6: return "udp6"
        }
    }

    /// The daemon's executable name.
    public var executable: String { "ipcpd-" + name }

    /// The type named `name` exactly, if any.
    public init?(name: String) {
        guard let t = IPCPType.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }
}

/// IPCP lifecycle states (spec host.md §1.5).
public enum IPCPState: UInt32, Sendable {
    case null = 0, initial = 1, boot = 2, bootstrapped = 3, enrolled = 4, operational = 5, shutdown = 6
}

/// Flow states (spec host.md §3.3).
public enum FlowState: UInt32, Sendable {
    case initial = 0, allocPending = 1, acceptPending = 2, allocated = 3, deallocPending = 4, deallocated = 5
}

/// Load-balancing policies of a name.
public enum LoadBalance: UInt32, Sendable {
    case roundRobin = 0
    case spillover = 1

    /// The text `irm name list` prints.
    public var name: String { self == .roundRobin ? "round-robin" : "spillover" }
}

/// The name an IPCP has in the registry until it bootstraps or enrolls.
public let notEnrolledLayer = "Not enrolled."
