import DevKit
import Logging
import Synchronization

/// The writer thread (ipcps.md §5.5): waits for packets on the N+1 flows,
/// puts the frame header in each packet's headroom and sends the frames in
/// batches (one sendmmsg per batch). A packet larger than the layer's MTU is
/// dropped and counted, never handed to the kernel to vanish.
final class FrameSender: @unchecked Sendable {
    /// Packets taken from one flow before the others get their turn.
    static let perFlowQuota = 64

    private let link: EthernetLink
    private let flows: EthernetFlows
    private let drops: DropCounters
    private let set: FlowEventSet
    private let batchSize: Int
    private let running = Atomic<Bool>(true)
    private let log = Logger(label: "ipcpd-eth")

    // Owned by the sender thread.
    private var batch: [PacketBuffer] = []
    private let framePointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let frameLengths: UnsafeMutablePointer<UInt32>

    init(link: EthernetLink, flows: EthernetFlows, drops: DropCounters, batchSize: Int) throws(OuroError) {
        self.link = link
        self.flows = flows
        self.drops = drops
        self.batchSize = batchSize
        set = try FlowEventSet(announce: false)
        framePointers = .allocate(capacity: PacketSocket.maxBatch)
        frameLengths = .allocate(capacity: PacketSocket.maxBatch)
        batch.reserveCapacity(PacketSocket.maxBatch)
    }

    deinit {
        framePointers.deallocate()
        frameLengths.deallocate()
    }

    func start() { startThread { [self] in run() } }

    func stop() { running.store(false, ordering: .relaxed) }

    /// Sends what the application writes on `flow`.
    func watch(_ flow: Flow) {
        do {
            try set.add(flow)
        } catch {
            log.error("Failed to watch flow for packets: \(error).")
        }
    }

    /// Stops sending for `flow`.
    func unwatch(_ flow: Flow) { set.remove(flow) }

    private func run() {
        let queue = FlowEventQueue()
        var busy: Set<Flow> = []
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: busy.isEmpty ? .milliseconds(100) : .zero)
            } catch {
                if error != .timedOut { log.error("Writer wait failed: \(error).") }
            }
            var ready = busy
            while let (flow, type) = queue.next() {
                if type.contains(.packet) { ready.insert(flow) }
            }
            busy = []
            for flow in ready where drain(flow) { busy.insert(flow) }
        }
    }

    /// Frames and sends up to the quota of `flow`'s packets; true if more wait.
    private func drain(_ flow: Flow) -> Bool {
        guard let id = try? flow.flowID(), let f = flows.flow(Int32(id)), f.active,
              let remote = f.remoteEndpoint else {
            flow.discardPending()
            return false
        }
        let endpoints = FrameEndpoints(destination: remote, source: f.localEndpoint)
        let headerLength = link.framing.headerLength
        for _ in 0..<Self.perFlowQuota {
            guard let packet = try? flow.readPacket(.nonBlocking) else {
                flush()
                return false
            }
            let length = packet.length
            guard length <= link.maxPayload, let header = try? packet.headAlloc(headerLength) else {
                drops.count(.oversized)
                Flow.releasePacket(packet)
                continue
            }
            link.framing.writeHeader(into: header, destination: f.remoteMAC, source: link.mac,
                                     endpoints: endpoints, payloadLength: length)
            batch.append(packet)
            if batch.count >= batchSize { flush() }
        }
        flush()
        return true
    }

    /// Sends the batched frames and frees their packets.
    private func flush() {
        guard !batch.isEmpty else { return }
        if batchSize == 1 {
            for packet in batch {
                do {
                    try link.socket.send(UnsafeRawBufferPointer(packet.bytes))
                } catch {
                    drops.count(.sendFailed)
                }
            }
        } else {
            for (i, packet) in batch.enumerated() {
                framePointers[i] = packet.bytes.baseAddress
                frameLengths[i] = UInt32(packet.length)
            }
            var sent = 0
            while sent < batch.count {
                do {
                    sent += try link.socket.sendBatch(framePointers + sent, lengths: frameLengths + sent,
                                                      count: batch.count - sent)
                } catch {
                    drops.count(.sendFailed, batch.count - sent)
                    break
                }
            }
        }
        for packet in batch { Flow.releasePacket(packet) }
        batch.removeAll(keepingCapacity: true)
    }
}
