import DevKit
import IPCPCommon
@testable import IPCPUnicast
import Synchronization

/// One DHT node whose messages are captured instead of sent.
final class DHTSink: Sendable {
    static let ownAddress: UInt64 = 0x1234_5678_90ab_cdef

    let clock = ManualTime()
    let node: DHTNode
    private final class Captured: Sendable {
        let list = Mutex<[(UInt64, DHTMessage)]>([])
    }

    private let captured = Captured()

    init(peer: UInt64 = 0, reachable: Bool = true) {
        let captured = captured
        node = DHTNode(address: Address(Self.ownAddress), idLength: 32, config: DHTConfig(peer: Address(peer)),
                       clock: clock, responseTimeout: 0.01) { to, bytes in
            captured.list.withLock { $0.append((to.rawValue, try! DHTMessage(parsing: bytes, idLength: 32))) }
            return reachable
        }
    }

    var messages: [(to: UInt64, message: DHTMessage)] { captured.list.withLock { $0 } }

    func clear() { captured.list.withLock { $0 = [] } }

    /// Makes `count` random contacts known to the node (they sent it a STORE).
    func addContacts(_ count: Int, from first: UInt64 = 100) {
        for i in 0..<count {
            let src = DHTContact(id: DHTIdentifier.random(length: 32), address: first + UInt64(i))
            let store = DHTMessage(source: src, body: .store(key: DHTIdentifier.random(length: 32), value: [1], expiry: UInt32(clock.now) + 100))
            node.received(store.serialize())
        }
        clear()
    }
}
