import DevKit
import Synchronization

/// One N+1 flow as an IPCP sees it: the upside-down end of a flow whose other
/// end is an application. The data plane's ring and pool handles join it here.
public struct N1Flow: Sendable, Equatable {
    /// The system-wide flow id irmd assigned.
    public let flowID: Int32
    /// The application at the other end.
    public let pid: Int32
    /// 0: the application uses the global packet pool; else its user's pool.
    public var uid: UInt32
    /// The endpoint this flow's packets go to: another N+1 flow for the local
    /// IPCP, a remote endpoint id for the shims; nil while unknown.
    public var peer: Int32?
    /// This IPCP's mapped end of the flow (its data path), once mapped.
    public var flow: Flow?

    /// Takes this flow's data path down (flow_fini), if it is still mapped.
    public func releaseDataPath() {
        flow?.release(expectingFlowID: Int(flowID))
    }

    public init(flowID: Int32, pid: Int32, uid: UInt32, peer: Int32? = nil, flow: Flow? = nil) {
        self.flowID = flowID
        self.pid = pid
        self.uid = uid
        self.peer = peer
        self.flow = flow
    }
}

/// The N+1 flows of an IPCP, keyed by flow id.
public final class FlowTable: Sendable {
    private let flows = Mutex<[Int32: N1Flow]>([:])
    private let added = ConditionSignal()

    public init() {}

    /// Adds a flow; a flow id already in the table is `.exists`.
    public func add(_ flow: N1Flow) throws(OuroError) {
        let fresh = flows.withLock { table -> Bool in
            guard table[flow.flowID] == nil else { return false }
            table[flow.flowID] = flow
            return true
        }
        guard fresh else { throw OuroError.exists }
        added.broadcast()
    }

    /// The flow with this id.
    public func flow(_ flowID: Int32) -> N1Flow? {
        flows.withLock { $0[flowID] }
    }

    /// Waits until the flow with this id is in the table or `deadline` passes.
    public func waitFor(_ flowID: Int32, until deadline: Deadline) -> N1Flow? {
        var found: N1Flow?
        added.wait(until: deadline) {
            found = flow(flowID)
            return found != nil
        }
        return found
    }

    /// Removes a flow and returns it.
    @discardableResult
    public func remove(_ flowID: Int32) -> N1Flow? {
        flows.withLock { $0.removeValue(forKey: flowID) }
    }

    /// Records the pool user of a flow.
    public func setUID(_ uid: UInt32, of flowID: Int32) {
        flows.withLock { $0[flowID]?.uid = uid }
    }

    /// Records the mapped end of a flow.
    public func setFlow(_ flow: Flow, of flowID: Int32) {
        flows.withLock { $0[flowID]?.flow = flow }
    }

    /// Sets (or clears) where a flow's packets go.
    public func setPeer(_ peer: Int32?, of flowID: Int32) {
        flows.withLock { $0[flowID]?.peer = peer }
    }

    /// Makes two flows in the table each other's peer, atomically.
    public func pair(_ a: Int32, _ b: Int32) {
        flows.withLock { table in
            table[a]?.peer = b
            table[b]?.peer = a
        }
    }

    /// Where a flow's packets go, if the flow exists and has a peer.
    public func peer(of flowID: Int32) -> Int32? {
        flows.withLock { $0[flowID]?.peer }
    }

    /// Every flow, by flow id.
    public var all: [N1Flow] { flows.withLock { $0.values.sorted { $0.flowID < $1.flowID } } }

    /// The number of flows.
    public var count: Int { flows.withLock { $0.count } }
}
