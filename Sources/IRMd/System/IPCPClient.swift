import DevKit

/// Requests from irmd to an IPCP's control socket, with the reference's reply
/// timeouts per message (spec host.md §2.1).
struct IPCPClient {
    let instance: Instance

    static func timeoutMicroseconds(_ code: ipcp_msg_code) -> Int {
        switch code {
        case .ipcpBootstrap: return 5_000_000
        case .ipcpEnroll, .ipcpReg, .ipcpUnreg, .ipcpConnect, .ipcpDisconnect, .ipcpFlowAlloc, .ipcpFlowJoin:
            return 20_000_000
        case .ipcpQuery: return 200_000
        case .ipcpInfo: return 2_000_000
        case .ipcpFlowDealloc: return 500
        default: return 500_000
        }
    }

    /// Sends `msg` to the IPCP `pid` and returns its reply; -EIPCP when it does not answer.
    func send(_ msg: ipcp_msg, to pid: Int32) throws(OuroError) -> ipcp_msg {
        try ControlChannel.transact(path: instance.ipcpSocketPath(pid: pid), request: msg,
                                    replyType: ipcp_msg.self,
                                    timeoutMicroseconds: IPCPClient.timeoutMicroseconds(msg.code),
                                    connectFailure: .ipcp, failure: .ipcp)
    }

    /// Sends `msg` and turns a negative `result` into an error.
    func call(_ msg: ipcp_msg, to pid: Int32) throws(OuroError) -> ipcp_msg {
        let reply = try send(msg, to: pid)
        guard reply.hasResult else { throw OuroError.ipcp }
        if reply.result < 0 { throw OuroError(result: reply.result) }
        return reply
    }
}
