import DevKit
import IPCPCommon
import Logging
import Synchronization

/// A Kademlia DHT node (ipcps.md §6.10): the directory of a unicast layer,
/// mapping name digests to the addresses of the IPCPs they are registered
/// at. Pure logic: `send(address, bytes)` hands a message to the data
/// transfer (eid 1, best effort) and returns false when it cannot (no
/// route); the clock is injected; the owner calls `received` for every eid-1
/// packet, `maintenance` every `maintenanceInterval` seconds and
/// `checkLookups` about every second. `DHTDirectory` does this for the daemon.
public final class DHTNode: Sendable {
    /// Concurrent lookups at most.
    public static let maxLookups = 128
    /// Lifetime of values learned by a query.
    public static let cacheLifetime = 60.0

    /// This node's random ID (the layer's digest length).
    public let id: [UInt8]
    public let address: Address
    public let config: DHTConfig
    /// How long a peer may take to answer, and a query waits at most.
    public let responseTimeout: Double

    private struct State {
        var table: DHTRoutingTable
        var store = DHTValueStore()
        var lookups: [Int: DHTLookup] = [:]
        var nextLookup = 0
        var cache: [[UInt8]: (values: [[UInt8]], expiry: Double)] = [:]
    }

    /// A message to send, and the lookup it is a request of.
    private struct Outgoing {
        let to: UInt64
        let message: DHTMessage
        var lookup: Int?
    }

    private let state: Mutex<State>
    private let changed = ConditionSignal()
    private let clock: any TimeSource
    private let send: @Sendable (Address, [UInt8]) -> Bool
    private let magicCookie = DHTLookup.cookie()
    private let dropped = Atomic<Int>(0)
    private let log = Logger(label: "ipcpd/dht")

    private var k: Int { Int(max(config.k, 1)) }
    private var alpha: Int { Int(max(config.alpha, 1)) }
    private var own: DHTContact { DHTContact(id: id, address: address.rawValue) }

    public init(address: Address, idLength: Int, config: DHTConfig, clock: any TimeSource = SystemTime(),
                responseTimeout: Double = 2, send: @escaping @Sendable (Address, [UInt8]) -> Bool) {
        id = DHTIdentifier.random(length: idLength)
        self.address = address
        self.config = config
        self.clock = clock
        self.responseTimeout = responseTimeout
        self.send = send
        state = Mutex(State(table: DHTRoutingTable(ownID: id, ownAddress: address.rawValue, k: Int(config.k),
                                                   refreshPeriod: Double(config.refreshSeconds), now: clock.now)))
    }

    /// What the node holds now, for `irm ipcp info`.
    var contents: (contacts: [DHTRoutingTable.Contact], store: DHTValueStore, lookups: Int) {
        state.withLock { ($0.table.contacts, $0.store, $0.lookups.count) }
    }

    /// Messages dropped as malformed or unsolicited.
    public var droppedMessages: Int { dropped.load(ordering: .relaxed) }

    /// Seconds between maintenance runs (§6.10.9):
    /// max(1, gcd(gcd(t_exp, t_exp − 5·t_repl), gcd(t_repl, t_refr)) / 2 / 5).
    public var maintenanceInterval: Double {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
        let exp = Int(config.expireSeconds)
        let repl = Int(config.replicateSeconds)
        let g = gcd(gcd(exp, exp - 5 * repl), gcd(repl, Int(config.refreshSeconds)))
        return Double(max(1, g / 2 / 5))
    }

    // MARK: - Messages

    /// A packet that arrived for eid 1. The sender becomes a contact;
    /// requests are answered, stores kept, responses advance their lookup.
    /// Malformed messages and responses no lookup asked for are counted and
    /// dropped.
    public func received(_ packet: [UInt8]) {
        guard let message = try? DHTMessage(parsing: packet, idLength: id.count) else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        let out = state.withLock { s -> [Outgoing]? in
            let now = clock.now
            var lookup: Int?
            switch message.body {
            case let .findNodeResponse(cookie, key, _), let .findValueResponse(cookie, key, _, _):
                lookup = s.lookups.first { $0.value.key == key && $0.value.hasPeer(cookie: cookie) }?.key
                if lookup == nil { return nil }
            default:
                break
            }
            s.table.add(id: message.source.id, address: message.source.address, now: now)
            switch message.body {
            case let .findNodeRequest(cookie, key):
                let contacts = closest(&s, to: key, now: now)
                return [reply(message, .findNodeResponse(cookie: cookie, key: key, contacts: contacts))]
            case let .findValueRequest(cookie, key):
                let contacts = closest(&s, to: key, now: now)
                return [reply(message, .findValueResponse(cookie: cookie, key: key, contacts: contacts,
                                                          values: s.store.values(for: key)))]
            case let .store(key, value, expiry):
                s.store.store(key: key, value: value, expiry: Double(expiry), now: now)
                return []
            case let .findNodeResponse(cookie, _, contacts):
                return answer(&s, lookup!, cookie: cookie, contacts: contacts, values: [], now: now)
            case let .findValueResponse(cookie, _, contacts, values):
                return answer(&s, lookup!, cookie: cookie, contacts: contacts, values: values, now: now)
            case .unknown:
                return []
            }
        }
        guard let out else {
            dropped.add(1, ordering: .relaxed)
            return
        }
        flush(out)
    }

    private func reply(_ request: DHTMessage, _ body: DHTMessage.Body) -> Outgoing {
        Outgoing(to: request.source.address, message: DHTMessage(source: own, body: body))
    }

    private func closest(_ s: inout State, to key: [UInt8], now: Double) -> [DHTContact] {
        s.table.closest(to: key, count: k, now: now).map { DHTContact(id: $0.id, address: $0.address) }
    }

    private func answer(_ s: inout State, _ lookup: Int, cookie: UInt64, contacts: [DHTContact],
                        values: [[UInt8]], now: Double) -> [Outgoing] {
        let others = contacts.filter { $0.address != address.rawValue }
        for c in others { s.table.add(id: c.id, address: c.address, now: now) }
        guard s.lookups[lookup]!.answered(cookie: cookie, values: values) else { return [] }
        if !s.lookups[lookup]!.finished { s.lookups[lookup]!.merge(others) }
        return advance(&s, now: now)
    }

    // MARK: - Lookups

    /// Starts a lookup for `key` over the k closest contacts; nil when there
    /// are none or too many lookups run.
    private func startLookup(_ s: inout State, key: [UInt8], kind: DHTLookup.Kind, purpose: DHTLookup.Purpose,
                             seeds: [DHTContact] = [], cookie: UInt64? = nil, now: Double) -> Int? {
        let contacts = seeds.isEmpty ? closest(&s, to: key, now: now) : seeds
        guard !contacts.isEmpty, s.lookups.count < Self.maxLookups else { return nil }
        var lookup = DHTLookup(key: key, kind: kind, purpose: purpose)
        lookup.merge(contacts, cookie: cookie)
        s.nextLookup += 1
        s.lookups[s.nextLookup] = lookup
        return s.nextLookup
    }

    /// Sends the next requests of every lookup, finishes those done and
    /// forgets finished ones with no request out.
    private func advance(_ s: inout State, now: Double) -> [Outgoing] {
        var out: [Outgoing] = []
        for (number, var lookup) in s.lookups {
            if !lookup.finished {
                for peer in lookup.nextRequests(k: k, alpha: alpha, now: now) {
                    let body: DHTMessage.Body = lookup.kind == .node
                        ? .findNodeRequest(cookie: peer.cookie, key: lookup.key)
                        : .findValueRequest(cookie: peer.cookie, key: lookup.key)
                    out.append(Outgoing(to: peer.contact.address, message: DHTMessage(source: own, body: body), lookup: number))
                }
                if lookup.isDone(k: k) {
                    lookup.finished = true
                    out += finish(&s, lookup, now: now)
                }
            }
            s.lookups[number] = lookup.finished && !lookup.awaitingAnswers ? nil : lookup
        }
        return out
    }

    private func finish(_ s: inout State, _ lookup: DHTLookup, now: Double) -> [Outgoing] {
        switch lookup.purpose {
        case .query:
            if !lookup.values.isEmpty { s.cache[lookup.key] = (lookup.values, now + Self.cacheLifetime) }
            return []
        case let .publish(value, expiry):
            return lookup.closestAnswered(alpha).filter { !lookup.storedAt.contains($0.address) }.map {
                Outgoing(to: $0.address, message: DHTMessage(source: own, body: .store(key: lookup.key, value: value, expiry: expiry)))
            }
        case .discover:
            return []
        }
    }

    /// Sends `out`; requests that cannot be sent fail their peer at once and
    /// the lookups move on to others. Returns the addresses sending failed to.
    @discardableResult
    private func flush(_ out: [Outgoing]) -> Set<UInt64> {
        var pending = out
        var unreachable: Set<UInt64> = []
        while !pending.isEmpty {
            var failed: [Outgoing] = []
            for o in pending where !send(Address(o.to), o.message.serialize()) {
                unreachable.insert(o.to)
                failed.append(o)
            }
            let requests = failed.filter { $0.lookup != nil }
            if requests.isEmpty { break }
            pending = state.withLock { s in
                for o in requests { s.lookups[o.lookup!]?.failed(address: o.to) }
                return advance(&s, now: clock.now)
            }
        }
        changed.broadcast()
        return unreachable
    }

    /// Fails requests unanswered for `responseTimeout` (their contacts leave
    /// the routing table, alternates move in) and moves the lookups on.
    public func checkLookups() {
        let out = state.withLock { s -> [Outgoing] in
            let now = clock.now
            for number in Array(s.lookups.keys) {
                for late in s.lookups[number]!.timeOut(now: now, timeout: responseTimeout) {
                    s.table.remove(address: late.address)
                }
            }
            return advance(&s, now: now)
        }
        flush(out)
    }

    // MARK: - Directory operations

    /// Publishes `key` as registered here: a local value (this address, 8
    /// bytes BE) stored at once at the alpha closest contacts, then at the
    /// alpha closest nodes a lookup for the key finds.
    public func register(_ key: [UInt8]) {
        let out = state.withLock { s -> [Outgoing] in
            let now = clock.now
            let value = DHTIdentifier.value(of: address.rawValue)
            let expiry = now + Double(config.expireSeconds)
            s.store.addLocal(key: key, value: value, expiry: expiry, now: now)
            return publish(&s, key: key, value: value, expiry: expiry, now: now)
        }
        flush(out)
    }

    private func publish(_ s: inout State, key: [UInt8], value: [UInt8], expiry: Double, now: Double) -> [Outgoing] {
        let wireExpiry = UInt32(truncatingIfNeeded: Int64(expiry))
        let targets = closest(&s, to: key, now: now).prefix(alpha)
        let stores = targets.map {
            Outgoing(to: $0.address, message: DHTMessage(source: own, body: .store(key: key, value: value, expiry: wireExpiry)))
        }
        if let number = startLookup(&s, key: key, kind: .node, purpose: .publish(value: value, expiry: wireExpiry), now: now) {
            s.lookups[number]!.storedAt = Set(targets.map(\.address))
        }
        return stores + advance(&s, now: now)
    }

    /// Withdraws `key`. Nothing is sent: the copies elsewhere expire.
    public func unregister(_ key: [UInt8]) {
        state.withLock { s in
            s.store.removeLocal(key: key, value: DHTIdentifier.value(of: address.rawValue))
            s.lookups = s.lookups.filter { !($0.value.key == key && $0.value.purpose != .query && $0.value.purpose != .discover) }
        }
    }

    /// The address `key` resolves to, never this IPCP's own: values held
    /// here or learned by a recent query, else a value lookup waited for up
    /// to `responseTimeout` (it goes on after that; a later query finds its
    /// result).
    public func query(_ key: [UInt8]) -> Address? {
        let own = DHTIdentifier.value(of: address.rawValue)
        func resolve(_ values: [[UInt8]]) -> Address? {
            for value in values where value != own {
                if let a = DHTIdentifier.address(of: value), a != 0 { return Address(a) }
            }
            return nil
        }
        let (known, lookup, out) = state.withLock { s -> (Address?, Int?, [Outgoing]) in
            let now = clock.now
            if let found = resolve(s.store.values(for: key)) { return (found, nil, []) }
            if let cached = s.cache[key], now <= cached.expiry, let found = resolve(cached.values) { return (found, nil, []) }
            if let running = s.lookups.first(where: { $0.value.key == key && $0.value.purpose == .query && !$0.value.finished })?.key {
                return (nil, running, [])
            }
            let number = startLookup(&s, key: key, kind: .value, purpose: .query, now: now)
            return (nil, number, number == nil ? [] : advance(&s, now: now))
        }
        if let known { return known }
        guard let lookup else { return nil }
        flush(out)
        changed.wait(until: .after(milliseconds: Int(responseTimeout * 1000))) {
            state.withLock { $0.lookups[lookup]?.finished ?? true }
        }
        return state.withLock { s in s.cache[key].flatMap { resolve($0.values) } }
    }

    // MARK: - Bootstrap and maintenance

    /// Asks the configured peer for the contacts closest to this node's ID
    /// (FIND_NODE with the magic cookie) and looks further from there. True
    /// if there is no peer or the request went out; false if it could not be
    /// sent (no route yet): try again later.
    @discardableResult
    public func bootstrap() -> Bool {
        let peer = config.peer.rawValue
        guard peer != 0, peer != address.rawValue else { return true }
        let out = discover(through: [peer], cookie: magicCookie)
        return !out.isEmpty && !flush(out).contains(peer)
    }

    /// Starts a lookup of this node's ID seeded with `addresses` (whose IDs
    /// are not known yet) and returns its first requests, to be flushed.
    private func discover(through addresses: [UInt64], cookie: UInt64? = nil) -> [Outgoing] {
        let seeds = addresses.map { DHTContact(id: id, address: $0) }
        return state.withLock { s -> [Outgoing] in
            let now = clock.now
            guard startLookup(&s, key: id, kind: .node, purpose: .discover, seeds: seeds, cookie: cookie, now: now) != nil
            else { return [] }
            return advance(&s, now: now)
        }
    }

    /// While no contact is known and no discovery runs: asks the enroller
    /// and `fallback` (the IPCPs routing reaches) for contacts. Ours, called
    /// every second: without contacts the reference only asks its enroller
    /// again, at the next maintenance (90 s by default), and when that IPCP
    /// is gone the node stays cut off from the directory for good.
    public func reseedWhenAlone(fallback: () -> [Address]) {
        let alone = state.withLock { s in
            s.table.contacts.isEmpty && !s.lookups.values.contains { $0.purpose == .discover && !$0.finished }
        }
        guard alone else { return }
        bootstrap()
        let others = fallback().map(\.rawValue).filter { $0 != address.rawValue }
        if !others.isEmpty { flush(discover(through: others)) }
    }

    /// The periodic tasks (§6.10.9): bootstrap again while no contact is
    /// known; expire values and query results; fail late lookup requests;
    /// replicate every value due (all keys; the reference only ever looks at
    /// one); refresh stale buckets.
    public func maintenance() {
        if state.withLock({ $0.table.contacts.isEmpty }) { bootstrap() }
        let out = state.withLock { s -> [Outgoing] in
            let now = clock.now
            s.store.expire(now: now)
            s.cache = s.cache.filter { now <= $0.value.expiry }
            var out = replicate(&s, now: now)
            for target in s.table.dueForRefresh(now: now) {
                _ = startLookup(&s, key: target, kind: .node, purpose: .discover, now: now)
            }
            out += advance(&s, now: now)
            return out
        }
        flush(out)
        checkLookups()
    }

    /// Values of others are stored again at the alpha closest contacts with
    /// their expiry every replication period; local values likewise, with a
    /// fresh expiry (so names registered before others joined reach them). A
    /// value with no contact to go to waits for the next period.
    private func replicate(_ s: inout State, now: Double) -> [Outgoing] {
        var out: [Outgoing] = []
        for due in s.store.dueForReplication(now: now, period: Double(config.replicateSeconds)) {
            let targets = closest(&s, to: due.key, now: now).prefix(alpha)
            guard !targets.isEmpty else { continue }
            let expiry = due.local ? now + Double(config.expireSeconds) : due.value.expiry
            let wire = UInt32(truncatingIfNeeded: Int64(expiry))
            s.store.replicated(key: due.key, value: due.value.bytes, local: due.local, now: now, expiry: expiry)
            out += targets.map {
                Outgoing(to: $0.address, message: DHTMessage(source: own, body: .store(key: due.key, value: due.value.bytes, expiry: wire)))
            }
        }
        return out
    }

    // MARK: - Introspection

    /// The contacts in the routing table.
    public var contacts: [DHTContact] {
        state.withLock { $0.table.contacts.map { DHTContact(id: $0.id, address: $0.address) } }
    }

    /// The values held for `key` (others' first, then local; at most 8).
    public func values(for key: [UInt8]) -> [[UInt8]] {
        state.withLock { $0.store.values(for: key) }
    }

    /// Lookups running.
    public var lookupCount: Int { state.withLock { $0.lookups.count } }
}
