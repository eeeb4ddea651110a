#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPCommon
import Synchronization

/// Packet and byte counters of the data transfer per N-1 flow and QoS cube
/// (the reference's per-flow DT statistics, always on here): relaxed atomic
/// adds on the data path, read by `irm ipcp info`.
public final class N1FlowCounters: @unchecked Sendable {
    /// What happened to a packet on an N-1 flow.
    public enum Event: Int, CaseIterable, Sendable {
        /// Written on the flow (originated here or forwarded).
        case sent
        /// Read from the flow.
        case received
        /// Of the sent, originated here.
        case localSent
        /// Of the received, delivered here.
        case localReceived
        /// Read from the flow and dropped: TTL expired.
        case ttlExpired
        /// Writing on the flow failed.
        case writeFailed
        /// Read from the flow and dropped: no next hop.
        case noNextHop
        /// Forwarded to the flow and dropped: its send queue was full (or
        /// the pool had no block).
        case queueFull

        /// The reference's label.
        public var label: String {
            switch self {
            case .sent: return "sent"
            case .received: return "rcvd"
            case .localSent: return "local sent"
            case .localReceived: return "local rcvd"
            case .ttlExpired: return "dropped ttl"
            case .writeFailed: return "failed writes"
            case .noNextHop: return "failed nhop"
            case .queueFull: return "dropped queue full"
            }
        }
    }

    /// A flow the counters follow: its neighbour and since when.
    public struct Tracked: Sendable, Equatable {
        public let fd: Int32
        public let neighbour: Address
        /// Seconds since the epoch.
        public let since: Double
    }

    /// Flow descriptors counted: the library's limit (PROG_MAX_FLOWS).
    static let maxFlows = 4096
    private static let cubes = QoSCube.allCases.count
    /// Packets and bytes per event.
    private static let slotsPerCube = Event.allCases.count * 2

    /// Zeroed by calloc, whose pages stay unmapped until a flow is counted;
    /// a zero word is a valid `Atomic<UInt64>`.
    private let slots: UnsafeMutablePointer<Atomic<UInt64>>
    private let tracked = Mutex<[Int32: Tracked]>([:])

    public init() {
        let count = Self.maxFlows * Self.cubes * Self.slotsPerCube
        let raw = calloc(count, MemoryLayout<Atomic<UInt64>>.stride)!
        slots = raw.bindMemory(to: Atomic<UInt64>.self, capacity: count)
    }

    deinit { free(slots) }

    private func base(_ fd: Int32, _ cube: QoSCube) -> Int? {
        guard fd >= 0, Int(fd) < Self.maxFlows else { return nil }
        return (Int(fd) * Self.cubes + Int(cube.rawValue)) * Self.slotsPerCube
    }

    /// Counts one packet of `bytes` for `event` on `flow` in `cube`.
    public func record(_ event: Event, _ flow: Flow, _ cube: QoSCube, bytes: Int) {
        guard let b = base(flow.fd, cube) else { return }
        slots[b + event.rawValue * 2].wrappingAdd(1, ordering: .relaxed)
        slots[b + event.rawValue * 2 + 1].wrappingAdd(UInt64(bytes), ordering: .relaxed)
    }

    /// The packets and bytes of `event` on flow `fd` in `cube`.
    public func count(_ event: Event, fd: Int32, cube: QoSCube) -> (packets: UInt64, bytes: UInt64) {
        guard let b = base(fd, cube) else { return (0, 0) }
        return (slots[b + event.rawValue * 2].load(ordering: .relaxed),
                slots[b + event.rawValue * 2 + 1].load(ordering: .relaxed))
    }

    /// Starts following `flow` to `neighbour` from zero.
    public func track(_ flow: Flow, neighbour: Address, now: Double) {
        guard let first = base(flow.fd, .bestEffort) else { return }
        for i in first..<(first + Self.cubes * Self.slotsPerCube) { slots[i].store(0, ordering: .relaxed) }
        tracked.withLock { $0[flow.fd] = Tracked(fd: flow.fd, neighbour: neighbour, since: now) }
    }

    /// Stops following `flow`.
    public func untrack(_ flow: Flow) {
        _ = tracked.withLock { $0.removeValue(forKey: flow.fd) }
    }

    /// The flows followed, by descriptor.
    public var flows: [Tracked] { tracked.withLock { $0.values.sorted { $0.fd < $1.fd } } }
}
