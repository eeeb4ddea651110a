#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation
import Logging
import Synchronization

/// A stand-in directory until the DHT policy lands: it speaks the DHT's
/// messages (dht.proto) but keeps no routing table. A registration is STOREd
/// at the configured peer (the enroller); a query answers from the values
/// this IPCP holds, else asks the peer with FIND_VALUE and waits up to 2 s.
/// It answers FIND_VALUE from what it holds and FIND_NODE with no contacts.
/// Enough for layers where every name is registered at, or next to, the
/// enroller of the IPCPs that look it up.
public final class EnrollerDirectory: Directory {
    private static let storeCode: UInt32 = 0
    private static let findNodeRequestCode: UInt32 = 1
    private static let findNodeResponseCode: UInt32 = 2
    private static let findValueRequestCode: UInt32 = 3
    private static let findValueResponseCode: UInt32 = 4
    /// How long a query waits for the peer's answer.
    static let responseMilliseconds = 2000

    private struct State {
        var local: Set<[UInt8]> = []
        var remote: [[UInt8]: [Address: UInt32]] = [:]
        var answers: [UInt64: [Address]] = [:]
    }

    private let context: DirectoryContext
    private let nodeID: [UInt8]
    private let state = Mutex(State())
    private let answered = ConditionSignal()
    private let work = SerialQueue()
    public let drops = DropCounter(label: "directory")
    private let log = Logger(label: "directory")

    public init(context: DirectoryContext) {
        self.context = context
        nodeID = (0..<context.hashLength).map { _ in UInt8.random(in: 0...255) }
    }

    private var peer: Address {
        switch context.config {
        case .dht(let dht): return dht.peer
        }
    }

    private var expireSeconds: UInt32 {
        switch context.config {
        case .dht(let dht): return dht.expireSeconds
        }
    }

    public func start() {}

    public func stop() { work.stop() }

    public func register(_ hash: [UInt8]) throws(OuroError) {
        state.withLock { _ = $0.local.insert(hash) }
        guard peer.isValid, peer != context.address else { return }
        var store = dht_store_msg()
        store.key = Data(hash)
        store.val = Data(EnrollerDirectory.value(context.address))
        store.exp = UInt32(truncatingIfNeeded: time(nil)) &+ expireSeconds
        var m = message(EnrollerDirectory.storeCode)
        m.store = store
        send(m, to: peer)
    }

    public func unregister(_ hash: [UInt8]) throws(OuroError) {
        state.withLock { _ = $0.local.remove(hash) }
    }

    public func query(_ hash: [UInt8]) -> Address? {
        if let known = state.withLock({ $0.remote[hash]?.keys.first { $0 != context.address } }) { return known }
        guard peer.isValid, peer != context.address else { return nil }
        let cookie = UInt64.random(in: 1...UInt64.max)
        state.withLock { $0.answers[cookie] = [] }
        defer { state.withLock { _ = $0.answers.removeValue(forKey: cookie) } }
        var find = dht_find_req_msg()
        find.cookie = cookie
        find.key = Data(hash)
        var m = message(EnrollerDirectory.findValueRequestCode)
        m.find = find
        send(m, to: peer)
        var found: Address?
        answered.wait(until: .after(milliseconds: EnrollerDirectory.responseMilliseconds)) {
            found = state.withLock { $0.answers[cookie]?.first { $0 != context.address } }
            return found != nil
        }
        return found
    }

    public func receive(_ packet: [UInt8]) {
        guard let m = try? dht_msg(serializedBytes: packet), m.hasSrc, m.src.addr != 0,
              m.src.id.count == context.hashLength else {
            drops.drop("malformed DHT message")
            return
        }
        work.submit { [self] in handle(m) }
    }

    private func handle(_ m: dht_msg) {
        let source = Address(m.src.addr)
        switch m.code {
        case EnrollerDirectory.storeCode:
            guard m.hasStore, m.store.key.count == context.hashLength, let address = EnrollerDirectory.address(m.store.val)
            else { return drops.drop("malformed STORE") }
            state.withLock { $0.remote[[UInt8](m.store.key), default: [:]][address] = m.store.exp }
        case EnrollerDirectory.findValueRequestCode, EnrollerDirectory.findNodeRequestCode:
            guard m.hasFind, m.find.key.count == context.hashLength else { return drops.drop("malformed FIND request") }
            var node = dht_find_node_rsp_msg()
            node.cookie = m.find.cookie
            node.key = m.find.key
            var reply = message(m.code + 1)
            reply.node = node
            if m.code == EnrollerDirectory.findValueRequestCode {
                let key = [UInt8](m.find.key)
                var values = dht_find_value_rsp_msg()
                values.values = state.withLock { s in
                    let remote = (s.remote[key] ?? [:]).keys.sorted()
                    return remote + (s.local.contains(key) ? [context.address] : [])
                }.prefix(8).map { Data(EnrollerDirectory.value($0)) }
                reply.val = values
            }
            send(reply, to: source)
        case EnrollerDirectory.findValueResponseCode:
            guard m.hasNode, m.hasVal else { return drops.drop("malformed FIND_VALUE response") }
            let addresses = m.val.values.compactMap(EnrollerDirectory.address)
            state.withLock { s in
                if s.answers[m.node.cookie] != nil { s.answers[m.node.cookie] = addresses }
            }
            answered.broadcast()
        default:
            break
        }
    }

    private func message(_ code: UInt32) -> dht_msg {
        var src = dht_contact_msg()
        src.id = Data(nodeID)
        src.addr = context.address.rawValue
        var m = dht_msg()
        m.code = code
        m.src = src
        return m
    }

    private func send(_ m: dht_msg, to destination: Address) {
        guard let bytes = try? m.serializedBytes() as [UInt8] else { return }
        do {
            try context.sender.send(bytes, to: destination, cube: .bestEffort, eid: ComponentEndpoint.directory.rawValue)
        } catch {
            log.debug("Failed to send DHT message to \(destination): \(error).")
        }
    }

    /// An address as a DHT value: 8 bytes big-endian.
    static func value(_ address: Address) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: address.rawValue >> (8 * UInt64($0))) }
    }

    static func address(_ value: Data) -> Address? {
        guard value.count == 8 else { return nil }
        let a = value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return a == 0 ? nil : Address(a)
    }
}
