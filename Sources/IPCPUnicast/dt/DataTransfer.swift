import DevKit
import IPCPCommon
import Logging
import Synchronization

/// The data transfer component (ipcps.md §6.3): puts the PCI on packets and
/// sends them on the next hop's N-1 flow, forwards packets for other IPCPs,
/// and delivers the ones for this IPCP to a component (eid < 64) or to the
/// flow allocator for an N+1 flow (eid ≥ 64). It reads N-1 flows through its
/// packet scheduler. Bad packets are counted and dropped; every packet is
/// counted per N-1 flow and QoS cube in `counters`.
public final class DataTransfer: PacketSender, PacketSchedulerClient {
    public let address: Address
    /// The TTL every packet starts with.
    public let maxTTL: UInt8
    private let tables: [any ForwardingTable]
    private let congestion: any CongestionAvoidance
    private let components = Mutex<[UInt64: any DTComponent]>([:])
    private let endpoints = Mutex<(any FlowEndpointDelivery)?>(nil)
    private let events = Mutex<(any N1FlowEventHandler)?>(nil)
    public let drops = DropCounter(label: "dt")
    public let counters = N1FlowCounters()
    private let log = Logger(label: "dt")

    public init(address: Address, maxTTL: UInt8, tables: [any ForwardingTable], congestion: any CongestionAvoidance) {
        precondition(tables.count == QoSCube.allCases.count)
        self.address = address
        self.maxTTL = maxTTL
        self.tables = tables
        self.congestion = congestion
    }

    /// Delivers packets for `endpoint` to `component` from now on.
    public func register(_ component: any DTComponent, at endpoint: ComponentEndpoint) {
        components.withLock { $0[endpoint.rawValue] = component }
    }

    /// Delivers packets for N+1 endpoints to `delivery`.
    public func setFlowEndpoints(_ delivery: any FlowEndpointDelivery) {
        endpoints.withLock { $0 = delivery }
    }

    /// Reports N-1 flow events to `handler`.
    public func setEventHandler(_ handler: any N1FlowEventHandler) {
        events.withLock { $0 = handler }
    }

    private func table(_ cube: QoSCube) -> any ForwardingTable { tables[Int(cube.rawValue)] }

    // MARK: sending

    public func send(_ payload: [UInt8], to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError) {
        let next = try nextHop(destination, cube)
        var packet = pci(destination, cube, eid, next, length: PCI.length + payload.count).serialize()
        packet.append(contentsOf: payload)
        try writeLocal(packet, on: next, cube: cube)
    }

    /// Sends an N+1 packet: the PCI goes into the block's headroom. The block
    /// is consumed either way.
    public func send(packet: PacketBuffer, to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError) {
        defer { Flow.releasePacket(packet) }
        let next = try nextHop(destination, cube)
        let header = try packet.headAlloc(PCI.length)
        pci(destination, cube, eid, next, length: packet.length).serialize(into: header)
        let bytes = UnsafeRawBufferPointer(packet.bytes)
        try write(bytes, on: next, cube: cube)
        counters.record(.localSent, next, cube, bytes: bytes.count)
    }

    private func nextHop(_ destination: Address, _ cube: QoSCube) throws(OuroError) -> Flow {
        guard destination != address else {
            log.error("Refusing to send a packet to this IPCP's own address.")
            throw OuroError.invalid
        }
        guard let next = table(cube).nextHop(destination) else {
            log.debug("No next hop for \(destination).")
            throw OuroError.permission
        }
        return next
    }

    /// The PCI of a packet originated here, marked with the congestion of
    /// its first hop.
    private func pci(_ destination: Address, _ cube: QoSCube, _ eid: UInt64, _ next: Flow, length: Int) -> PCI {
        let ecn = (try? next.sendQueue(length: length))
            .map { congestion.marking(next, queued: $0.queued, window: $0.window, originated: true) } ?? 0
        return PCI(destination: destination, cube: cube.rawValue, ttl: maxTTL, ecn: ecn, eid: eid)
    }

    /// Writes a packet originated here.
    private func writeLocal(_ packet: [UInt8], on flow: Flow, cube: QoSCube) throws(OuroError) {
        do {
            try packet.withUnsafeBytes { try write($0, on: flow, cube: cube) }
        } catch {
            throw error as! OuroError
        }
        counters.record(.localSent, flow, cube, bytes: packet.count)
    }

    /// Writes `packet` on `flow` and counts it. A packet originated here
    /// waits for room (back-pressure reaches the source's writer); a
    /// forwarded one does not: when the next hop's send queue is full (or the
    /// pool has no block) it is dropped there, as a router's output queue
    /// drops. [ref-quirk] fixed: the reference blocks its reader thread on the
    /// full flow, which stalls every other flow that thread serves
    /// (congestion reports coming back included) behind one bottleneck.
    /// `forwarding` is nil for a packet originated here; for a forwarded one,
    /// whether the next hop's queue was found full (the packet is then
    /// dropped before a block is allocated and filled).
    private func write(_ packet: UnsafeRawBufferPointer, on flow: Flow, cube: QoSCube,
                       forwarding queueFull: Bool? = nil) throws(OuroError) {
        let forwarding = queueFull != nil
        do throws(OuroError) {
            if let full = queueFull {
                guard !full else { throw OuroError.again }
                let block = try Flow.allocatePacket(length: packet.count, .nonBlocking)
                block.bytes.copyMemory(from: packet)
                try flow.writePacket(block, .nonBlocking)
            } else {
                try flow.write(packet)
            }
        } catch {
            counters.record(forwarding && error == .again ? .queueFull : .writeFailed, flow, cube, bytes: packet.count)
            if error == .flowDown { events.withLock { $0 }?.n1FlowEvent(flow, .down) }
            throw error
        }
        counters.record(.sent, flow, cube, bytes: packet.count)
    }

    // MARK: receiving

    public func drain(_ flow: Flow, cube: QoSCube, scratch: UnsafeMutableRawBufferPointer) -> DrainOutcome {
        for _ in 0..<PacketScheduler.batch {
            let n: Int
            do {
                n = try flow.read(into: scratch)
            } catch {
                if error == .flowDown || error == .flowPeer {
                    events.withLock { $0 }?.n1FlowEvent(flow, error == .flowPeer ? .peer : .down)
                }
                return .empty
            }
            receive(UnsafeMutableRawBufferPointer(rebasing: scratch[..<n]), cube: cube, from: flow)
        }
        return .more
    }

    public func flowEvent(_ flow: Flow, _ event: FlowEventType) {
        events.withLock { $0 }?.n1FlowEvent(flow, event)
    }

    /// Processes one packet read from an N-1 flow of `cube` (§6.3.3): the TTL is
    /// decremented in place first; a packet for another IPCP is forwarded on
    /// the table of the incoming flow's cube. Counters go to the packet's own
    /// cube (the PCI's, else the flow's).
    public func receive(_ packet: UnsafeMutableRawBufferPointer, cube: QoSCube, from flow: Flow) {
        guard packet.count >= PCI.length else {
            drops.drop("packet shorter than the PCI")
            return
        }
        // A packet arriving with TTL 0 wraps to 255 and travels on (§10 item 3).
        packet[PCI.ttlOffset] &-= 1
        guard let pci = try? PCI(parsing: UnsafeRawBufferPointer(packet)) else { return }
        let counted = QoSCube(rawValue: pci.cube) ?? cube
        counters.record(.received, flow, counted, bytes: packet.count)
        if pci.destination != address {
            forward(packet, pci, cube, from: flow, counted: counted)
            return
        }
        counters.record(.localReceived, flow, counted, bytes: packet.count)
        let payload = UnsafeRawBufferPointer(rebasing: packet[PCI.length...])
        if pci.eid >= ComponentEndpoint.firstFlowEndpoint {
            guard let delivery = endpoints.withLock({ $0 }) else {
                drops.drop("no flow allocator")
                return
            }
            delivery.deliver(payload, eid: pci.eid, ecn: pci.ecn)
            return
        }
        guard let component = components.withLock({ $0[pci.eid] }) else {
            drops.drop("no component at eid \(pci.eid)")
            return
        }
        component.receive([UInt8](payload))
    }

    private func forward(_ packet: UnsafeMutableRawBufferPointer, _ pci: PCI, _ cube: QoSCube,
                         from flow: Flow, counted: QoSCube) {
        guard pci.ttl != 0 else {
            counters.record(.ttlExpired, flow, counted, bytes: packet.count)
            drops.drop("TTL expired")
            return
        }
        guard let next = table(cube).nextHop(pci.destination) else {
            counters.record(.noNextHop, flow, counted, bytes: packet.count)
            drops.drop("no route to \(pci.destination)")
            return
        }
        // One look at the next hop's queue serves the mark and the drop.
        let queue = try? next.sendQueue(length: packet.count)
        if let queue {
            packet[PCI.ecnOffset] |= congestion.marking(next, queued: queue.queued, window: queue.window, originated: false)
        }
        do {
            try write(UnsafeRawBufferPointer(packet), on: next, cube: counted,
                      forwarding: queue.map { $0.queued >= $0.window } ?? false)
        } catch {
            drops.drop(error == .again ? "forwarding queue full" : "forwarding failed: \(error)")
        }
    }
}
