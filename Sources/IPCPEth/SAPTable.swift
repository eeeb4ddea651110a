/// The LLC service access points of one eth-llc IPCP (ipcps.md §5.2, §10.28):
/// flows get logical SAPs 2...65, the lowest free first, each mapped to its
/// flow id. Lookups of any other value find nothing (the reference indexes a
/// 64-entry table with received SAPs unchecked).
public struct SAPTable: Sendable {
    /// The SAPs flows may use.
    public static let range: ClosedRange<UInt16> = 2...65

    private var flows = [Int32?](repeating: nil, count: SAPTable.range.count)

    public init() {}

    /// Maps the lowest free SAP to `flowID` and returns it; nil when all are in use.
    public mutating func allocate(for flowID: Int32) -> UInt16? {
        guard let i = flows.firstIndex(where: { $0 == nil }) else { return nil }
        flows[i] = flowID
        return Self.range.lowerBound + UInt16(i)
    }

    /// Frees `sap` (nothing happens for a free or out-of-range SAP).
    public mutating func release(_ sap: UInt16) {
        guard Self.range.contains(sap) else { return }
        flows[Int(sap - Self.range.lowerBound)] = nil
    }

    /// The flow using `sap`, if any.
    public func flow(at sap: UInt16) -> Int32? {
        guard Self.range.contains(sap) else { return nil }
        return flows[Int(sap - Self.range.lowerBound)]
    }
}
