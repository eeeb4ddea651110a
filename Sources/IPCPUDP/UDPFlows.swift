import DevKit
import Synchronization

/// What the UDP layer knows about one N+1 flow. Its local endpoint id on the
/// wire is its flow id (never 0, so never the management eid).
struct UDPFlow: Sendable {
    /// Where the peer IPCP is: the resolved or observed address, at the layer's port.
    let remote: SocketAddress
    /// The peer's endpoint id for this flow; nil until its FLOW_REPLY accepted.
    var remoteEID: UInt32?
    /// This IPCP's mapped end of the flow; nil until the flow is accepted locally.
    var flow: Flow?
}

/// The UDP state of the N+1 flows, by local endpoint id (= flow id), and the
/// flow id of each mapped flow descriptor (for the writer).
final class UDPFlows: Sendable {
    private struct Table {
        var byEID: [UInt32: UDPFlow] = [:]
        var eidOfFD: [Int32: UInt32] = [:]
    }

    private let table = Mutex(Table())

    /// Records a flow (replacing what was known under `eid`).
    func insert(_ eid: UInt32, _ flow: UDPFlow) {
        table.withLock { t in
            t.byEID[eid] = flow
            if let f = flow.flow { t.eidOfFD[f.fd] = eid }
        }
    }

    func get(_ eid: UInt32) -> UDPFlow? { table.withLock { $0.byEID[eid] } }

    /// The flow's state and local eid for a mapped flow descriptor.
    func get(fd: Int32) -> (eid: UInt32, flow: UDPFlow)? {
        table.withLock { t in t.eidOfFD[fd].flatMap { eid in t.byEID[eid].map { (eid, $0) } } }
    }

    /// Changes a known flow; returns false if `eid` is unknown.
    @discardableResult
    func update(_ eid: UInt32, _ change: (inout UDPFlow) -> Void) -> Bool {
        table.withLock { t in
            guard var f = t.byEID[eid] else { return false }
            change(&f)
            t.byEID[eid] = f
            if let fd = f.flow?.fd { t.eidOfFD[fd] = eid }
            return true
        }
    }

    @discardableResult
    func remove(_ eid: UInt32) -> UDPFlow? {
        table.withLock { t in
            let f = t.byEID.removeValue(forKey: eid)
            if let fd = f?.flow?.fd { t.eidOfFD[fd] = nil }
            return f
        }
    }
}
