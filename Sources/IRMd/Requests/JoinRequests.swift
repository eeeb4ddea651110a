import DevKit
import Foundation

extension IRMDaemon {
    /// IRM_FLOW_JOIN (spec host.md §3.7.4): a flow into the broadcast layer
    /// named `dst`, through the first IPCP in that layer; no OAP, no
    /// encryption. `EIPCP` without such an IPCP, `ENOTALLOC` when it refuses.
    func flowJoin(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasFlowInfo && m.hasDst, .invalid, "Flow join without flow info or layer name.")
        let pid = Int32(bitPattern: m.flowInfo.nPid)
        guard let proc = registry.process(pid: pid) else {
            log.error("Unknown process \(pid) joining a layer.")
            throw OuroError.badDescriptor
        }
        let uid = flowUID(proc)
        log.info("Allocating flow for \(pid) to \(m.dst) (uid \(uid)).")
        guard let ipcp = registry.ipcp(layer: m.dst) else {
            log.error("Failed to get IPCP for layer \(m.dst).")
            throw OuroError.ipcp
        }
        let id = try reserveFlow(pid: pid, qos: QoSSpec(m.flowInfo.qos), uid: uid, through: ipcp, purpose: "join")
        var req = ipcp_msg()
        req.code = .ipcpFlowJoin
        req.flowID = Int32(id)
        req.pid = pid
        req.uid = uid
        req.hash = Data(ipcp.hashAlgorithm.digest(name: m.dst))
        do {
            _ = try ipcps.call(req, to: ipcp.pid)
        } catch {
            log.error("Flow join with layer \(m.dst) failed.")
            dropFlow(id)
            throw OuroError.notAllocated
        }
        let f = registry.waitFlow(id: id, deadline: deadline(m) ?? .after(milliseconds: defaultAllocMilliseconds)) {
            $0.state != .allocPending
        }
        guard let flow = f, flow.state == .allocated else {
            dropFlow(id)
            if f?.state == .allocPending {
                log.error("Flow join timed out.")
                throw OuroError.timedOut
            }
            log.debug("Flow join terminated.")
            throw OuroError.pipe
        }
        return IRMDaemon.flowReply(IRMDaemon.info(flow, nPid: pid, n1Pid: ipcp.pid), key: nil)
    }
}
