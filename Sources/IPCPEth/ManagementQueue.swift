import DevKit
import Synchronization

/// Management messages waiting for the management thread, oldest first (the
/// reference serves the newest first), at most `limit` of them.
final class ManagementQueue: Sendable {
    struct Item: Sendable {
        let source: MACAddress
        let payload: [UInt8]
    }

    private let items = Mutex<[Item]>([])
    private let signal = ConditionSignal()
    let limit: Int

    init(limit: Int = 256) { self.limit = limit }

    /// Queues a message; false (dropped) when the queue is full.
    func push(from source: MACAddress, _ payload: [UInt8]) -> Bool {
        let queued = items.withLock { list -> Bool in
            guard list.count < limit else { return false }
            list.append(Item(source: source, payload: payload))
            return true
        }
        if queued { signal.broadcast() }
        return queued
    }

    /// The oldest message, waiting until `deadline` for one.
    func pop(until deadline: Deadline) -> Item? {
        var item: Item?
        signal.wait(until: deadline) {
            item = items.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            return item != nil
        }
        return item
    }

    /// Wakes a waiting `pop`.
    func wake() { signal.broadcast() }
}
