import DevKit
import IPCPCommon
import IPCPKit

/// The flow allocator's information tree (`irm ipcp info ... flows`).
extension FlowAllocator {
    /// `/flow-allocator`: each N+1 flow by flow id with its application, the
    /// endpoint ids of both ends, the remote IPCP, this IPCP's data path and
    /// the flow's congestion avoidance state.
    public var info: InfoNode {
        let flows = endpoints.withLock { $0.sorted { $0.key < $1.key } }
        return InfoNode("flow-allocator", flows.isEmpty ? "no flows" : nil, flows.map { flowID, ep in
            var entries: [InfoNode] = []
            if let pid = ipcp.flows.flow(flowID)?.pid { entries.append(InfoNode("pid", String(pid))) }
            entries += [
                InfoNode("local eid", "0x" + String(ep.localEID, radix: 16)),
                InfoNode("remote eid", ep.remoteEID == 0 ? "pending" : "0x" + String(ep.remoteEID, radix: 16)),
                InfoNode("remote address", ep.remoteAddress.description),
                InfoNode("data path", ep.flow.map { "fd \($0.fd)" } ?? "not mapped"),
            ] + ep.congestion.summary.map { InfoNode($0.0, $0.1) }
            return InfoNode(String(flowID), nil, entries)
        })
    }
}
