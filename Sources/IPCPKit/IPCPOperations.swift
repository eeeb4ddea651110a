import DevKit

/// The requests an IPCP type may implement (the reference's ops table).
public enum IPCPOperation: Sendable, Hashable, CaseIterable {
    case bootstrap, enroll, connect, disconnect, reg, unreg, query
    case flowAlloc, flowJoin, flowAllocResp, flowDealloc
}

/// What one IPCP type does for irmd's requests. The skeleton checks, in this
/// order, that the operation is in `supportedOperations` (else `-ENOTSUP`), the
/// state the request needs (else `-EIPCPSTATE`), then calls the method.
/// Every method defaults to throwing `.notSupported`.
public protocol IPCPOperations: AnyObject, Sendable {
    /// The operations this type implements.
    var supportedOperations: Set<IPCPOperation> { get }

    /// Brings the layer up from `conf` (its hash algorithm already forced for
    /// UDP and broadcast layers); returns the configuration in effect, whose
    /// `layer_info` the skeleton keeps and reports.
    func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg
    /// Joins the layer through the IPCP named `dst`; returns the layer's info.
    func enroll(_ dst: String) throws(OuroError) -> layer_info_msg
    /// Connects `component` to the peer IPCP `dst`.
    func connect(_ dst: String, component: String, qos: QoSSpec) throws(OuroError)
    /// Disconnects `component` from the peer IPCP `dst`.
    func disconnect(_ dst: String, component: String) throws(OuroError)
    /// Makes the name with digest `hash` reachable through this IPCP.
    func reg(_ hash: [UInt8]) throws(OuroError)
    /// Withdraws the name with digest `hash`.
    func unreg(_ hash: [UInt8]) throws(OuroError)
    /// Returns normally iff the name with digest `hash` is reachable in the layer.
    func query(_ hash: [UInt8]) throws(OuroError)
    /// Starts allocating the N+1 flow `flowID` (already in the flow table) of
    /// application `pid` to `hash`; the outcome goes to irmd later as an
    /// allocation reply.
    func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError)
    /// Joins the N+1 flow `flowID` (already in the flow table) to the layer `hash`.
    func flowJoin(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8]) throws(OuroError)
    /// Answers an incoming allocation on `flowID` with `response` (0 accepts).
    func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError)
    /// Tears the N+1 flow `flowID` down (the skeleton already waited irmd's linger
    /// time); implementations end with `IPCP.releaseFlow(_:)`.
    func flowDealloc(flowID: Int32) throws(OuroError)
    /// Type-specific teardown when irmd stops an operational IPCP.
    func shutdown()
    /// The `section` of this IPCP's information tree (`irm ipcp info`);
    /// `.notSupported` when the type keeps no such state. The skeleton
    /// answers `.info` itself and, when this throws `.notSupported`, `.flows`.
    func info(_ section: InfoSection) throws(OuroError) -> InfoNode
}

extension IPCPOperations {
    public func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg { throw OuroError.notSupported }
    public func enroll(_ dst: String) throws(OuroError) -> layer_info_msg { throw OuroError.notSupported }
    public func connect(_ dst: String, component: String, qos: QoSSpec) throws(OuroError) { throw OuroError.notSupported }
    public func disconnect(_ dst: String, component: String) throws(OuroError) { throw OuroError.notSupported }
    public func reg(_ hash: [UInt8]) throws(OuroError) { throw OuroError.notSupported }
    public func unreg(_ hash: [UInt8]) throws(OuroError) { throw OuroError.notSupported }
    public func query(_ hash: [UInt8]) throws(OuroError) { throw OuroError.notSupported }
    public func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        throw OuroError.notSupported
    }
    public func flowJoin(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8]) throws(OuroError) { throw OuroError.notSupported }
    public func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError) {
        throw OuroError.notSupported
    }
    public func flowDealloc(flowID: Int32) throws(OuroError) { throw OuroError.notSupported }
    public func shutdown() {}
    public func info(_ section: InfoSection) throws(OuroError) -> InfoNode { throw OuroError.notSupported }
}
