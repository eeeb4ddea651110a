import DevKit
import Logging
import Synchronization

/// The send side (ipcps.md §4.4): waits for packets on the N+1 flows, puts
/// the peer's endpoint id in front of each (in the packet's headroom, no
/// copy) and sends them in batches. SDUs above the maximum packet size, and
/// packets of flows whose peer endpoint is not known, are dropped and counted.
/// Each flow is drained in turn, at most `burst` packets per round, so one
/// busy flow does not starve the others; packets of a flow keep their order.
final class PacketWriter: Sendable {
    static let batchSize = 32
    static let burst = 64

    private let socket: UDPSocket
    private let flows: UDPFlows
    private let drops: DropCounters
    private let set: FlowEventSet
    private let running = Atomic(true)
    private let log: Logger

    init(socket: UDPSocket, flows: UDPFlows, drops: DropCounters, log: Logger) throws(OuroError) {
        self.socket = socket
        self.flows = flows
        self.drops = drops
        self.log = log
        set = try FlowEventSet(announce: false)
    }

    /// Sends what the application writes on `flow` from now on.
    func watch(_ flow: Flow) {
        do {
            try set.add(flow)
        } catch {
            log.error("Failed to watch flow fd \(flow.fd): \(error).")
        }
    }

    func unwatch(_ flow: Flow) { set.remove(flow) }

    /// Starts the writer thread; `done` runs when it ends.
    func start(done: @escaping @Sendable () -> Void) {
        startThread { [self] in
            run()
            done()
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func run() {
        let queue = FlowEventQueue()
        let batch = DatagramBatch(capacity: Self.batchSize)
        var held: [PacketBuffer] = []
        held.reserveCapacity(Self.batchSize)
        var busy: [Flow] = []
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: busy.isEmpty ? .milliseconds(100) : .zero)
            } catch {
                if error != .timedOut { log.error("Writer wait failed: \(error).") }
            }
            var ready = busy
            while let (flow, type) = queue.next() {
                if type.contains(.packet) && !ready.contains(flow) { ready.append(flow) }
            }
            busy = []
            for flow in ready where drain(flow, batch, &held) { busy.append(flow) }
            flush(batch, &held)
        }
    }

    /// Sends up to `burst` packets of `flow`; true if more may wait.
    private func drain(_ flow: Flow, _ batch: DatagramBatch, _ held: inout [PacketBuffer]) -> Bool {
        guard let (_, state) = flows.get(fd: flow.fd) else {
            flow.discardPending()
            return false
        }
        for _ in 0..<Self.burst {
            guard let packet = try? flow.readPacket(.nonBlocking) else { return false }
            // The reference compares the length modulo 2^16 (ipcps.md §4.4), which
            // lets some larger SDUs reach sendto; every oversized SDU stops here.
            guard packet.length <= socket.family.maxPacket else {
                drops.drop(.oversizedSDU, "\(packet.length) bytes on fd \(flow.fd)")
                Flow.releasePacket(packet)
                continue
            }
            guard let remoteEID = state.remoteEID, let header = try? packet.headAlloc(DataDatagram.headerLength) else {
                drops.drop(.noRemoteEID, "fd \(flow.fd)")
                Flow.releasePacket(packet)
                continue
            }
            DataDatagram.write(eid: remoteEID, to: header)
            if !batch.append(UnsafeRawBufferPointer(packet.bytes), to: state.remote) {
                flush(batch, &held)
                _ = batch.append(UnsafeRawBufferPointer(packet.bytes), to: state.remote)
            }
            held.append(packet)
        }
        return true
    }

    private func flush(_ batch: DatagramBatch, _ held: inout [PacketBuffer]) {
        guard batch.count > 0 else { return }
        let failed = batch.send(on: socket)
        for _ in 0..<failed { drops.drop(.sendFailed) }
        for packet in held { Flow.releasePacket(packet) }
        held.removeAll(keepingCapacity: true)
    }
}
