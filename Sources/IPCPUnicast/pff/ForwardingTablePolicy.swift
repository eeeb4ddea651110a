extension LinkStateConfig.Policy {
    /// A new, empty forwarding table of the type this path policy feeds. The
    /// alternate (LFA) and multipath (ECMP) tables are not written yet: until
    /// then those policies forward on their first next hop.
    public func makeForwardingTable() -> any ForwardingTable {
        switch self {
        case .simple, .loopFreeAlternates, .equalCostMultipath:
            return SimpleForwardingTable()
        }
    }
}
