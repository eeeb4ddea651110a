import DevKit
import IPCPCommon

/// Where the data transfer hands packets for N+1 flows (eid ≥ 64): the flow
/// allocator, which knows the endpoints.
public protocol FlowEndpointDelivery: AnyObject, Sendable {
    /// A packet for endpoint `eid`, PCI removed, that arrived with `ecn`.
    func deliver(_ payload: UnsafeRawBufferPointer, eid: UInt64, ecn: UInt8)
}

/// Hears about N-1 flows the data transfer uses: a write that found the flow
/// down, and the scheduler's events (down, up, deallocated, peer gone).
public protocol N1FlowEventHandler: AnyObject, Sendable {
    func n1FlowEvent(_ flow: Flow, _ event: FlowEventType)
}

/// The connection manager ends, or passes on the state of, Data Transfer
/// connections whose flows the data transfer reports.
extension ConnectionManager: N1FlowEventHandler {}
