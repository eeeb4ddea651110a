#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DevKit

/// The messages an IPCP sends to irmd (ipcps.md §2.7, §2.8): each is one
/// `irm_msg` on a fresh connection to the instance's irmd socket, answered by
/// a `result`. A negative result is thrown as the error it stands for.
public struct IRMdClient: Sendable {
    /// The instance whose irmd is addressed.
    public let instance: Instance
    /// This process' pid.
    public let pid: Int32

    public init(instance: Instance, pid: Int32) {
        self.instance = instance
        self.pid = pid
    }

    /// IRM_PROC_ANNOUNCE: registers this process with irmd under `program`.
    public func announce(program: String) throws(OuroError) {
        var m = irm_msg()
        m.code = .irmProcAnnounce
        m.pid = pid
        m.prog = String(decoding: program.utf8.prefix(255), as: UTF8.self)
        _ = try send(m)
    }

    /// IRM_PROC_EXIT: tells irmd this process is leaving; the result is ignored.
    public func procExit() {
        var m = irm_msg()
        m.code = .irmProcExit
        m.pid = pid
        _ = try? send(m)
    }

    /// IPCP_CREATE_R: reports the IPCP to irmd after start-up.
    public func createR(type: IPCPType, name: String, state: IPCPState) throws(OuroError) {
        var info = ipcp_info_msg()
        info.type = type.rawValue
        info.name = name
        info.pid = UInt32(bitPattern: pid)
        info.state = state.rawValue
        var m = irm_msg()
        m.code = .ipcpCreateR
        m.ipcpInfo = info
        _ = try send(m)
    }

    /// IPCP_FLOW_REQ_ARR: a peer wants a flow to the name with digest `hash`.
    /// Returns irmd's `flow_info` for the new flow (its id and the accepting
    /// application's pid as `n_pid`).
    public func flowReqArr(hash: [UInt8], qos: QoSSpec, mpl: UInt32, pk: [UInt8]) throws(OuroError) -> flow_info_msg {
        var info = IRMdClient.flowInfo(id: 0, mpl: mpl)
        info.n1Pid = UInt32(bitPattern: pid)
        info.qos = qos.message
        var m = irm_msg()
        m.code = .ipcpFlowReqArr
        m.flowInfo = info
        m.hash = Data(hash)
        m.pk = Data(pk)
        let reply = try send(m)
        guard reply.hasFlowInfo else { throw OuroError.irmd }
        return reply.flowInfo
    }

    /// IPCP_FLOW_ALLOC_REPLY: the answer to an allocation this IPCP started.
    public func flowAllocReply(flowID: Int32, response: Int32, mpl: UInt32, pk: [UInt8]) throws(OuroError) {
        var m = irm_msg()
        m.code = .ipcpFlowAllocReply
        m.flowInfo = IRMdClient.flowInfo(id: flowID, mpl: mpl)
        m.response = response
        m.pk = Data(pk)
        _ = try send(m)
    }

    /// IPCP_FLOW_DEALLOC: the N+1 flow `flowID`, whose application is `n1PID`,
    /// is gone from this IPCP.
    public func flowDeallocUpcall(flowID: Int32, n1PID: Int32) throws(OuroError) {
        var info = IRMdClient.flowInfo(id: flowID, mpl: 0)
        info.n1Pid = UInt32(bitPattern: n1PID)
        var m = irm_msg()
        m.code = .ipcpFlowDealloc
        m.flowInfo = info
        _ = try send(m)
    }

    /// A `flow_info_msg` with every required field present: zeros except `id`
    /// and `mpl` (the reference leaves the unused ones uninitialised).
    static func flowInfo(id: Int32, mpl: UInt32) -> flow_info_msg {
        var qos = qosspec_msg()
        qos.delay = 0
        qos.bandwidth = 0
        qos.availability = 0
        qos.loss = 0
        qos.ber = 0
        qos.inOrder = 0
        qos.maxGap = 0
        qos.timeout = 0
        var info = flow_info_msg()
        info.id = UInt32(bitPattern: id)
        info.nPid = 0
        info.n1Pid = 0
        info.mpl = mpl
        info.state = 0
        info.qos = qos
        info.uid = 0
        return info
    }

    private func send(_ request: irm_msg) throws(OuroError) -> irm_msg {
        let reply = try ControlChannel.irmd(request, instance: instance)
        guard reply.hasResult else { throw OuroError.irmd }
        if reply.result < 0 { throw OuroError(result: reply.result) }
        return reply
    }
}
