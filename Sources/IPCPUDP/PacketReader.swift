#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// The receive side (ipcps.md §4.4): takes datagrams off the socket in
/// batches, queues management datagrams and hands each SDU to the N+1 flow
/// its endpoint id names. Everything malformed, unknown or from the wrong
/// peer is dropped and counted. Delivery waits at most `deliveryWaitMilliseconds` for
/// pool space and ring space, so a slow application costs drops, never a
/// stuck reader.
final class PacketReader: Sendable {
    static let batchSize = 32
    static let deliveryWaitMilliseconds = 2

    private let socket: UDPSocket
    private let flows: UDPFlows
    private let management: ManagementQueue
    private let drops: DropCounters
    private let running: Atomic<Bool>
    private let log: Logger

    init(socket: UDPSocket, flows: UDPFlows, management: ManagementQueue, drops: DropCounters, log: Logger) {
        self.socket = socket
        self.flows = flows
        self.management = management
        self.drops = drops
        self.log = log
        running = Atomic(true)
    }

    /// Starts the reader thread; `done` runs when it ends.
    func start(done: @escaping @Sendable () -> Void) {
        startThread { [self] in
            run()
            done()
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func run() {
        // Room for a maximal SDU and its header, and one byte more so that
        // anything larger shows up as truncated.
        let batch = DatagramBatch(capacity: Self.batchSize,
                                  bufferSize: socket.family.maxPacket + DataDatagram.headerLength + 1)
        while running.load(ordering: .relaxed) {
            let n: Int
            do {
                n = try batch.receive(on: socket)
            } catch {
                log.error("Failed to receive: \(error).")
                usleep(1000)
                continue
            }
            for i in 0..<n { handle(batch, i) }
        }
    }

    private func handle(_ batch: DatagramBatch, _ i: Int) {
        let datagram = batch.datagram(i)
        let source = batch.source(i)
        func from() -> String { "from \(SocketAddress(raw: source.pointer, length: source.length))" }
        guard !batch.truncated(i), datagram.count <= socket.family.maxPacket + DataDatagram.headerLength else {
            return drops.drop(.truncated, from())
        }
        guard let eid = try? DataDatagram.eid(of: datagram) else {
            return drops.drop(.short, "\(datagram.count) bytes \(from())")
        }
        if eid == DataDatagram.managementEID {
            return management.enqueue(datagram, from: SocketAddress(raw: source.pointer, length: source.length))
        }
        guard let flow = flows.get(eid) else { return drops.drop(.unknownEID, "eid \(eid) \(from())") }
        guard flow.remote.equals(raw: source.pointer, length: source.length) else {
            return drops.drop(.foreignSource, "eid \(eid) \(from())")
        }
        guard let n1 = flow.flow else { return drops.drop(.flowNotReady, "eid \(eid)") }
        deliver(UnsafeRawBufferPointer(rebasing: datagram[DataDatagram.headerLength...]), to: n1)
    }

    private func deliver(_ sdu: UnsafeRawBufferPointer, to flow: Flow) {
        let wait = WaitMode.after(milliseconds: Self.deliveryWaitMilliseconds)
        do {
            let packet = try Flow.allocatePacket(length: sdu.count, wait)
            if sdu.count > 0 { packet.bytes.copyMemory(from: sdu) }
            try flow.writePacket(packet, wait)
        } catch {
            drops.drop(.deliveryFailed, "\(error)")
        }
    }
}
