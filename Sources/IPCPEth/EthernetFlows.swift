import DevKit
import Synchronization

/// One N+1 flow as the Ethernet shim sees it.
public struct EthernetFlow: Sendable, Equatable {
    public let flowID: Int32
    /// Our endpoint: DIX the flow id, LLC the flow's SAP (0 until assigned).
    public var localEndpoint: UInt16
    /// The peer's endpoint (DIX its flow id, LLC its SAP), once known.
    public var remoteEndpoint: UInt16?
    /// The peer's MAC address.
    public var remoteMAC: MACAddress
    /// Our mapped end of the flow.
    public var flow: Flow?
    /// Data moves in both directions.
    public var active: Bool
}

/// Where a received data frame goes, or why it goes nowhere.
public enum DataDestination: Equatable, Sendable {
    case deliver(Flow)
    case drop(DropCounters.Reason)
}

/// The N+1 flows of an Ethernet IPCP by flow id, and for LLC the SAPs they
/// use. Received frames are checked against it: a data frame must name an
/// active flow and come from that flow's peer (the reference delivers DIX
/// frames to any eid).
public final class EthernetFlows: Sendable {
    private struct State {
        var flows: [Int32: EthernetFlow] = [:]
        var saps = SAPTable()
    }

    private let state = Mutex(State())
    /// LLC: flows are multiplexed on SAPs rather than flow ids.
    public let usesSAPs: Bool

    public init(usesSAPs: Bool) { self.usesSAPs = usesSAPs }

    /// Records an allocation we start towards `remoteMAC` and returns our
    /// endpoint for the FLOW_REQ. `.noMemory` when no SAP is free, `.invalid`
    /// for a flow id DIX cannot carry.
    public func addOutgoing(_ flowID: Int32, to remoteMAC: MACAddress, flow: Flow?) throws(OuroError) -> UInt16 {
        try state.withLock { (s: inout State) throws(OuroError) -> UInt16 in
            let local = try Self.localEndpoint(for: flowID, in: &s, usesSAPs: usesSAPs)
            s.flows[flowID] = EthernetFlow(flowID: flowID, localEndpoint: local, remoteEndpoint: nil,
                                           remoteMAC: remoteMAC, flow: flow, active: false)
            return local
        }
    }

    /// Records an incoming request on `flowID` from `remoteMAC`, endpoint `remote`.
    public func addIncoming(_ flowID: Int32, from remoteMAC: MACAddress, endpoint remote: UInt16) {
        state.withLock {
            $0.flows[flowID] = EthernetFlow(flowID: flowID, localEndpoint: 0, remoteEndpoint: remote,
                                            remoteMAC: remoteMAC, flow: nil, active: false)
        }
    }

    /// Accepts the incoming flow `flowID`: gives it our endpoint (an LLC SAP)
    /// and its mapped end, and lets data move. Returns the flow.
    /// `.notAllocated` for a flow without request, `.noMemory` without SAPs.
    public func accept(_ flowID: Int32, flow: Flow?) throws(OuroError) -> EthernetFlow {
        try state.withLock { (s: inout State) throws(OuroError) -> EthernetFlow in
            guard var f = s.flows[flowID] else { throw OuroError.notAllocated }
            f.localEndpoint = try Self.localEndpoint(for: flowID, in: &s, usesSAPs: usesSAPs)
            f.flow = flow
            f.active = true
            s.flows[flowID] = f
            return f
        }
    }

    /// The outgoing allocation a FLOW_REPLY to our endpoint `local` from
    /// `remoteMAC` answers: one we sent a request for, to that MAC, still
    /// unanswered. Accepted replies (`remote` set) make it active.
    public func answer(local: UInt16, from remoteMAC: MACAddress, remote: UInt16?) -> EthernetFlow? {
        state.withLock { s in
            guard let id = usesSAPs ? s.saps.flow(at: local) : Int32(local),
                  var f = s.flows[id], f.localEndpoint == local, f.remoteEndpoint == nil, !f.active,
                  f.remoteMAC == remoteMAC else { return nil }
            if let remote {
                f.remoteEndpoint = remote
                f.active = true
                s.flows[id] = f
            }
            return f
        }
    }

    /// Forgets a flow, freeing its SAP.
    @discardableResult
    public func remove(_ flowID: Int32) -> EthernetFlow? {
        state.withLock { s in
            guard let f = s.flows.removeValue(forKey: flowID) else { return nil }
            if usesSAPs && s.saps.flow(at: f.localEndpoint) == flowID { s.saps.release(f.localEndpoint) }
            return f
        }
    }

    /// The flow `flowID`.
    public func flow(_ flowID: Int32) -> EthernetFlow? {
        state.withLock { $0.flows[flowID] }
    }

    /// Every flow.
    public var all: [EthernetFlow] { state.withLock { Array($0.flows.values) } }

    /// Where a data frame to `endpoints` from `source` goes.
    public func destination(of endpoints: FrameEndpoints, from source: MACAddress) -> DataDestination {
        state.withLock { s in
            guard let id = usesSAPs ? s.saps.flow(at: endpoints.destination) : Int32(endpoints.destination),
                  let f = s.flows[id], f.active, f.localEndpoint == endpoints.destination,
                  let flow = f.flow else { return .drop(.unknownEndpoint) }
            guard f.remoteMAC == source, !usesSAPs || f.remoteEndpoint == endpoints.source else {
                return .drop(.wrongSource)
            }
            return .deliver(flow)
        }
    }

    private static func localEndpoint(for flowID: Int32, in s: inout State, usesSAPs: Bool) throws(OuroError) -> UInt16 {
        guard usesSAPs else {
            guard let eid = UInt16(exactly: flowID), eid != 0 else { throw OuroError.invalid }
            return eid
        }
        guard let sap = s.saps.allocate(for: flowID) else { throw OuroError.noMemory }
        return sap
    }
}
