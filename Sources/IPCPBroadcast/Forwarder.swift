import DevKit
import IPCPCommon
import Logging
import Synchronization

/// The broadcast forwarding plane (ipcps.md §7.2): every packet read from a
/// neighbour is written to every other neighbour. Neighbours are the Data
/// Transfer N-1 flows and the joined N+1 flows, without distinction. There is
/// no header and no loop protection: the N-1 topology must be loop-free.
///
/// [ref-quirk] fixed: the reference forwards in pieces of at most 1400 bytes;
/// here packets travel whole. Writes do not block: a neighbour that cannot
/// take a packet loses it instead of stalling the layer.
public final class Forwarder: Sendable {
    private let neighbours = Mutex<[Flow]>([])
    private let set: FlowEventSet
    private let connections: ConnectionManager
    private let running = Atomic<Bool>(false)
    public let drops = DropCounter(label: "broadcast-dt")
    private let log = Logger(label: "broadcast-dt")

    /// How long the reader waits before it checks whether to stop.
    static let pollMilliseconds = 100
    /// The largest packet a pool block holds.
    static let maxPacket = PacketPool.maxPayload(ofClass: PacketPool.objectSizes.count - 1)

    /// A forwarder that reports the events of its flows (down, deallocated,
    /// peer gone) to `connections`, which ends Data Transfer connections.
    public init(connections: ConnectionManager) throws(OuroError) {
        set = try FlowEventSet(announce: false)
        self.connections = connections
    }

    /// Starts the reader thread.
    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        startThread { [self] in run() }
    }

    /// Makes the reader exit within its next poll.
    public func stop() { running.store(false, ordering: .relaxed) }

    /// Forwards to and from `flow` from now on.
    public func add(_ flow: Flow) throws(OuroError) {
        guard !neighbours.withLock({ $0.contains(flow) }) else {
            log.warning("Already know neighbour on fd \(flow.fd).")
            return
        }
        try flow.setFlags([.readWrite, .writeNoPartial, .nonBlocking])
        neighbours.withLock { $0.append(flow) }
        try set.add(flow)
        log.debug("Neighbour \(flow.fd) added.")
    }

    /// Stops forwarding to and from `flow`.
    public func remove(_ flow: Flow) {
        set.remove(flow)
        let found = neighbours.withLock { n -> Bool in
            guard let i = n.firstIndex(of: flow) else { return false }
            n.remove(at: i)
            return true
        }
        if found {
            log.debug("Neighbour \(flow.fd) deleted.")
        } else {
            log.error("Neighbour not found on fd \(flow.fd).")
        }
    }

    /// The current neighbours.
    public var members: [Flow] { neighbours.withLock { $0 } }

    private func run() {
        let queue = FlowEventQueue()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Forwarder.maxPacket, alignment: 16)
        defer { scratch.deallocate() }
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: .milliseconds(Forwarder.pollMilliseconds))
            } catch {
                if error != .timedOut { log.warning("Event warning: \(error).") }
                continue
            }
            while let (flow, type) = queue.next() {
                if type.contains(.packet) { drain(flow, scratch) }
                let other = type.subtracting([.packet, .alloc])
                if !other.isEmpty { connections.n1FlowEvent(flow, other) }
            }
        }
    }

    /// Forwards every packet waiting on `flow`.
    private func drain(_ flow: Flow, _ scratch: UnsafeMutableRawBufferPointer) {
        while true {
            let n: Int
            do {
                n = try flow.read(into: scratch)
            } catch {
                if error == .flowDown || error == .flowPeer {
                    connections.n1FlowEvent(flow, error == .flowPeer ? .peer : .down)
                }
                return
            }
            forward(UnsafeRawBufferPointer(rebasing: scratch[..<n]), from: flow)
        }
    }

    private func forward(_ packet: UnsafeRawBufferPointer, from source: Flow) {
        for neighbour in members where neighbour != source {
            do {
                try neighbour.write(packet)
            } catch {
                drops.drop("neighbour \(neighbour.fd) not accepting: \(error)")
            }
        }
    }
}
