import DevKit
import IPCPKit
import Logging
import Synchronization

/// `ipcpd-local` (ipcps.md §3): connects applications on this host through an
/// IPCP. An allocation pairs the allocator's N+1 flow with the acceptor's in the
/// skeleton's flow table; the packet loop forwards between the two flows of a
/// pair in both directions.
final class LocalIPCP: IPCPOperations {
    /// The MPL reported for local flows, in ms.
    static let mpl: UInt32 = 100

    let ipcp: IPCP
    let registry = ShimRegistry()
    let log = Logger(label: "ipcpd-local")
    private let loop = Mutex<PacketLoop?>(nil)

    init(ipcp: IPCP) { self.ipcp = ipcp }

    let supportedOperations: Set<IPCPOperation> = [
        .bootstrap, .reg, .unreg, .query, .flowAlloc, .flowAllocResp, .flowDealloc,
    ]

    /// Keeps only the layer name and hash algorithm, and starts the packet loop.
    func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        let packets = try PacketLoop(flows: ipcp.flows)
        packets.start()
        loop.withLock { $0 = packets }
        var kept = ipcp_config_msg()
        kept.ipcpType = conf.ipcpType
        kept.layerInfo = conf.layerInfo
        return kept
    }

    func reg(_ hash: [UInt8]) throws(OuroError) {
        registry.add(hash)
    }

    func unreg(_ hash: [UInt8]) throws(OuroError) {
        registry.remove(hash)
        log.info("Unregistered \(hash.hashPrefix).")
    }

    func query(_ hash: [UInt8]) throws(OuroError) {
        guard registry.contains(hash) else { throw OuroError.failure }
    }

    /// Hands the request straight to irmd as an arrival on this IPCP and pairs
    /// the allocator's flow with the acceptor's.
    func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        log.debug("Allocating flow to \(hash.hashPrefix) on flow \(flowID).")
        do throws(OuroError) {
            _ = try ipcp.waitFlowReqArr(hash: hash, qos: qos, mpl: LocalIPCP.mpl, pk: pk) { acceptor in
                ipcp.flows.pair(flowID, acceptor)
            }
        } catch {
            log.debug("Flow allocation failed: \(error.result)")
            throw OuroError.failure
        }
        loop.withLock { $0?.watch(flowID) }
        log.info("Pending local allocation request on flow \(flowID).")
    }

    /// Forwards the acceptor's answer to the allocator's side. A refusal is
    /// reported too, and both flows are dropped from the table.
    func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError) {
        do throws(OuroError) {
            try ipcp.waitFlowResp(flowID)
        } catch {
            log.error("Failed waiting for IRMd response.")
            throw OuroError.failure
        }
        guard let allocator = ipcp.flows.peer(of: flowID) else {
            log.error("Invalid out_fd.")
            throw OuroError.failure
        }
        if response < 0 {
            // [ref-quirk] fixed: the reference re-points the allocator's entry at
            // the acceptor and never answers the allocator, which then waits for
            // its deadline. Both flows are dropped and the refusal is passed on.
            ipcp.flows.remove(flowID)
            ipcp.flows.remove(allocator)
            try ipcp.flowAllocReply(flowID: allocator, response: response, mpl: LocalIPCP.mpl, pk: [])
            return
        }
        do throws(OuroError) {
            try ipcp.flowAllocReply(flowID: allocator, response: response, mpl: LocalIPCP.mpl, pk: pk)
        } catch {
            log.error("Failed to reply to allocation")
            throw OuroError.failure
        }
        loop.withLock { $0?.watch(flowID) }
        log.info("Flow allocation completed, flows (\(allocator), \(flowID)).")
    }

    /// Stops the packet loop.
    func shutdown() {
        loop.withLock { $0?.stop() }
    }

    /// Drops the flow and takes its peer's data path down, so that the
    /// application at the other end reads EFLOWDOWN and deallocates in turn.
    /// (The reference leaves the peer up until its keepalive times out.)
    func flowDealloc(flowID: Int32) throws(OuroError) {
        let peer = ipcp.flows.peer(of: flowID)
        if let p = peer {
            // The peer must not keep pointing at this flow id: irmd may hand it
            // to a new flow as soon as this one is released.
            ipcp.flows.setPeer(nil, of: p)
        }
        try ipcp.releaseFlow(flowID)
        if let p = peer, let mapped = ipcp.flows.flow(p)?.flow {
            log.debug("Taking down flow \(p), the peer of deallocated flow \(flowID).")
            mapped.release()
        }
        log.info("Flow with fd \(flowID) deallocated.")
    }
}
