import DevKit
import IPCPCommon

/// The fixed endpoint ids of the components inside every unicast IPCP
/// (ipcps.md §6.1, §10 item 2): not negotiated, equal in every IPCP. Eids
/// 2..63 are unused; eids from 64 up address N+1 flows.
public enum ComponentEndpoint: UInt64, Sendable, CaseIterable {
    /// Flow allocator messages.
    case flowAllocator = 0
    /// Directory (DHT) messages.
    case directory = 1

    /// Eids below this address components, the others N+1 flows.
    public static let firstFlowEndpoint: UInt64 = 64
}

/// A component the data transfer delivers packets to: the flow allocator at
/// eid 0, the directory at eid 1. The DT strips the PCI and calls `receive`
/// on its reader thread, so a component that blocks must queue the work.
public protocol DTComponent: AnyObject, Sendable {
    /// One packet addressed to this component, without its PCI.
    func receive(_ packet: [UInt8])
}

/// What the data transfer offers the components above it: sending a packet
/// to an address and an endpoint of the layer.
public protocol PacketSender: Sendable {
    /// This IPCP's address.
    var address: Address { get }
    /// Sends `payload` to endpoint `eid` of the IPCP at `destination` in `cube`.
    /// `.permission` when there is no route, `.flowDown` when the next hop's
    /// N-1 flow is gone; the packet is dropped on any error.
    func send(_ payload: [UInt8], to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError)
    /// The same for a packet held in a pool block, which is consumed either
    /// way (the default copies it out; the data transfer writes the PCI into
    /// the block's headroom).
    func send(packet: PacketBuffer, to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError)
}

extension PacketSender {
    public func send(packet: PacketBuffer, to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError) {
        let bytes = [UInt8](UnsafeRawBufferPointer(packet.bytes))
        Flow.releasePacket(packet)
        try send(bytes, to: destination, cube: cube, eid: eid)
    }
}
