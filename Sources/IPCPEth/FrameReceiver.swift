#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// The reader thread (ipcps.md §5.4): takes every frame off the socket,
/// hands management messages to the management queue and writes data to the
/// N+1 flow the frame names. Frames that are malformed, too long, for an
/// endpoint that is not ours or from the wrong peer are counted and dropped;
/// it never blocks on a full flow or an exhausted pool (those drop too).
final class FrameReceiver: Sendable {
    /// Longest management message accepted.
    static let maxManagementLength = 9000
    /// How often the kernel's drop counter is read, in ms.
    static let statisticsInterval = 1000

    private let link: EthernetLink
    private let flows: EthernetFlows
    private let management: ManagementQueue
    private let drops: DropCounters
    private let running = Atomic<Bool>(true)
    private let log = Logger(label: "ipcpd-eth")

    init(link: EthernetLink, flows: EthernetFlows, management: ManagementQueue, drops: DropCounters) {
        self.link = link
        self.flows = flows
        self.management = management
        self.drops = drops
    }

    func start() { startThread { [self] in run() } }

    func stop() { running.store(false, ordering: .relaxed) }

    private func run() {
        var failing = false
        var nextStatistics = Deadline.after(milliseconds: Self.statisticsInterval)
        while running.load(ordering: .relaxed) {
            let ok = link.socket.receive(timeoutMilliseconds: 100) { bytes, wireLength in
                handle(bytes, wireLength: wireLength)
            }
            if !ok {
                if !failing { log.error("Failed to receive on \(link.device.name): \(OuroError.errno).") }
                failing = true
                usleep(100_000)
            } else {
                failing = false
            }
            if nextStatistics.hasPassed {
                drops.count(.kernelDrops, link.socket.kernelDrops())
                nextStatistics = .after(milliseconds: Self.statisticsInterval)
            }
        }
    }

    /// Processes one received frame of `wireLength` bytes (`bytes` may be shorter if truncated).
    func handle(_ bytes: UnsafeRawBufferPointer, wireLength: Int) {
        guard wireLength <= bytes.count else {
            drops.count(.truncated)
            return
        }
        let frame: ReceivedFrame
        do {
            frame = try link.framing.parse(bytes)
        } catch {
            switch error {
            case .short: drops.count(.short)
            case .badLength: drops.count(.badLength)
            case .otherProtocol: drops.count(.otherProtocol)
            }
            return
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[frame.payload])
        if frame.isManagement {
            guard payload.count <= Self.maxManagementLength else {
                drops.count(.managementTooLong)
                return
            }
            if !management.push(from: frame.source, Array(payload)) { drops.count(.managementQueueFull) }
            return
        }
        switch flows.destination(of: frame.endpoints, from: frame.source) {
        case .drop(let reason):
            drops.count(reason)
        case .deliver(let flow):
            deliver(payload, to: flow)
        }
    }

    private func deliver(_ payload: UnsafeRawBufferPointer, to flow: Flow) {
        let packet: PacketBuffer
        do {
            packet = try Flow.allocatePacket(length: payload.count, .nonBlocking)
        } catch {
            drops.count(.poolExhausted)
            return
        }
        if payload.count > 0 { packet.bytes.baseAddress!.copyMemory(from: payload.baseAddress!, byteCount: payload.count) }
        do {
            try flow.writePacket(packet, .nonBlocking)
        } catch {
            drops.count(error == .again ? .flowFull : .unknownEndpoint)
        }
    }
}
