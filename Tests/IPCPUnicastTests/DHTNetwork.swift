import DevKit
import IPCPCommon
@testable import IPCPUnicast
import Synchronization

/// DHT nodes wired by an in-memory transport: messages are queued and
/// delivered in order by one thread, as DT would deliver them. Sending to an
/// address no node has fails (no route); messages to a dead node are lost.
final class DHTNetwork: Sendable {
    private struct State {
        var nodes: [UInt64: DHTNode] = [:]
        var queue: [(to: UInt64, bytes: [UInt8])] = []
        var busy = false
        var dead: Set<UInt64> = []
        var stopping = false
        var messages = 0
    }

    private let state = Mutex(State())
    private let signal = ConditionSignal()
    let clock = ManualTime()
    let config: DHTConfig

    init(config: DHTConfig = DHTConfig()) {
        self.config = config
        startThread { [self] in deliver() }
    }

    func stop() {
        state.withLock { $0.stopping = true }
        signal.broadcast()
    }

    @discardableResult
    func add(_ address: UInt64, peer: UInt64 = 0) -> DHTNode {
        var c = config
        c.peer = Address(peer)
        let node = DHTNode(address: Address(address), idLength: 32, config: c, clock: clock, responseTimeout: 0.5) { [self] to, bytes in
            let sent = state.withLock { s -> Bool in
                guard s.nodes[to.rawValue] != nil else { return false }
                s.messages += 1
                if !s.dead.contains(to.rawValue) { s.queue.append((to.rawValue, bytes)) }
                return true
            }
            signal.broadcast()
            return sent
        }
        state.withLock { $0.nodes[address] = node }
        return node
    }

    func node(_ address: UInt64) -> DHTNode { state.withLock { $0.nodes[address]! } }

    var liveNodes: [DHTNode] { state.withLock { s in s.nodes.filter { !s.dead.contains($0.key) }.map(\.value) } }

    var messageCount: Int { state.withLock { $0.messages } }

    /// The node stops answering (its messages are lost); it is still routable.
    func kill(_ address: UInt64) { state.withLock { _ = $0.dead.insert(address) } }

    /// Waits until every queued message was delivered.
    func settle() {
        signal.wait(until: .after(milliseconds: 10_000)) { state.withLock { $0.queue.isEmpty && !$0.busy } }
    }

    private func deliver() {
        while true {
            var next: (DHTNode, [UInt8])?
            signal.wait {
                state.withLock { s in
                    if s.stopping { return true }
                    guard !s.queue.isEmpty else { return false }
                    let m = s.queue.removeFirst()
                    s.busy = true
                    if !s.dead.contains(m.to) { next = (s.nodes[m.to]!, m.bytes) }
                    return true
                }
            }
            if state.withLock({ $0.stopping }) { return }
            if let (node, bytes) = next { node.received(bytes) }
            state.withLock { $0.busy = false }
            signal.broadcast()
        }
    }
}
