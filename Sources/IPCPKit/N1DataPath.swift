import DevKit

/// How an IPCP attaches to the shared-memory data path of its N+1 flows.
public protocol N1DataPath: Sendable {
    /// Maps the IPCP's end of flow `flowID` whose other end is process `pid`;
    /// nil when this data path moves no packets.
    func map(flowID: Int32, peer pid: Int32, uid: UInt32) throws(OuroError) -> Flow?
}

/// The real data path: the pool, rings and flow sets irmd created.
public struct SharedMemoryDataPath: N1DataPath {
    public init() {}

    public func map(flowID: Int32, peer pid: Int32, uid: UInt32) throws(OuroError) -> Flow? {
        try Flow.mapN1(flowID: Int(flowID), peer: pid, uid: uid)
    }
}

/// No data path: the control plane alone (for tests of request processing).
public struct ControlPlaneOnly: N1DataPath {
    public init() {}

    public func map(flowID: Int32, peer pid: Int32, uid: UInt32) throws(OuroError) -> Flow? { nil }
}
