import DevKit

extension LinkStateConfig.Policy {
    /// A new, empty forwarding table of the type this path policy feeds:
    /// simple, alternate (LFA) or multipath (ECMP).
    public func makeForwardingTable() -> any ForwardingTable {
        switch self {
        case .simple: return SimpleForwardingTable()
        case .loopFreeAlternates: return AlternateForwardingTable()
        case .equalCostMultipath: return MultipathForwardingTable()
        }
    }
}
