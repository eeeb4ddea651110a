import DevKit
import Synchronization

/// Management datagrams (endpoint id 0) waiting for the management thread,
/// handled oldest first. (The reference takes the newest first; ipcps.md §10,
/// item 25: purely local, fixed.) The backlog is bounded: beyond it new
/// datagrams are dropped and counted.
final class ManagementQueue: Sendable {
    static let backlog = 256

    private struct State {
        var items: [(bytes: [UInt8], source: SocketAddress)] = []
        var running = true
    }

    private let state = Mutex(State())
    private let signal = ConditionSignal()
    private let drops: DropCounters

    init(drops: DropCounters) { self.drops = drops }

    /// Queues a copy of a received management datagram.
    func enqueue(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress) {
        let queued = state.withLock { s -> Bool in
            guard s.items.count < Self.backlog else { return false }
            s.items.append((Array(datagram), source))
            return true
        }
        guard queued else { return drops.drop(.managementBacklog, "from \(source)") }
        signal.broadcast()
    }

    /// Starts the management thread, which calls `handle` for every datagram until `stop()`.
    func start(_ handle: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        startThread { [self] in
            while let (bytes, source) = next() { handle(bytes, source) }
        }
    }

    func stop() {
        state.withLock { $0.running = false }
        signal.broadcast()
    }

    private func next() -> ([UInt8], SocketAddress)? {
        var item: ([UInt8], SocketAddress)?
        signal.wait {
            state.withLock { s in
                guard s.running else { return true }
                guard !s.items.isEmpty else { return false }
                item = s.items.removeFirst()
                return true
            }
        }
        return item
    }
}
