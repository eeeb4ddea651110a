/// An iterative lookup (ipcps.md §6.10.8, done as Kademlia intends): the
/// peers known for a key, closest first; requests go to the closest ones not
/// asked yet, at most alpha in flight, each with its own cookie; every answer
/// adds candidates, and the lookup ends when the k closest peers that did not
/// fail have answered (or, when looking for values, when values arrive).
/// The reference never sends a second round (§10 item 35); this one does.
struct DHTLookup: Sendable {
    enum Kind: Sendable, Equatable {
        case node
        case value
    }

    /// Why the lookup runs: what happens when it ends.
    enum Purpose: Sendable, Equatable {
        /// Answers a query (waiters watch `values`).
        case query
        /// Stores `value` with `expiry` at the closest peers found.
        case publish(value: [UInt8], expiry: UInt32)
        /// Learns contacts (bootstrap, bucket refresh).
        case discover
    }

    enum PeerState: Sendable, Equatable {
        case candidate
        case asked(at: Double)
        case answered
        case failed
    }

    struct Peer: Sendable {
        let contact: DHTContact
        let cookie: UInt64
        var state: PeerState
    }

    let key: [UInt8]
    let kind: Kind
    let purpose: Purpose
    private(set) var peers: [Peer] = []
    private(set) var values: [[UInt8]] = []
    /// Addresses a publish lookup already stored at.
    var storedAt: Set<UInt64> = []
    /// Set once the lookup reached its end; it lingers while requests are
    /// out, so that peers which never answer are still found out.
    var finished = false

    init(key: [UInt8], kind: Kind, purpose: Purpose) {
        self.key = key
        self.kind = kind
        self.purpose = purpose
    }

    static func cookie() -> UInt64 { UInt64.random(in: 1 ... .max) }

    /// Adds peers not yet known (by address), each with a fresh cookie, or
    /// with `cookie` when given (the bootstrap request's magic cookie).
    mutating func merge(_ contacts: [DHTContact], cookie: UInt64? = nil) {
        for c in contacts where !peers.contains(where: { $0.contact.address == c.address }) {
            peers.append(Peer(contact: c, cookie: cookie ?? Self.cookie(), state: .candidate))
        }
        peers.sort { DHTIdentifier.closer($0.contact.id, than: $1.contact.id, to: key) }
    }

    func hasPeer(cookie: UInt64) -> Bool { peers.contains { $0.cookie == cookie } }

    /// Records the answer carrying `cookie`; false if it was already in.
    mutating func answered(cookie: UInt64, values found: [[UInt8]]) -> Bool {
        guard let i = peers.firstIndex(where: { $0.cookie == cookie }), peers[i].state != .answered else { return false }
        peers[i].state = .answered
        for v in found where !values.contains(v) && values.count < DHTValueStore.maxValues { values.append(v) }
        return true
    }

    /// Marks the peer with `address` as failed (not reachable or timed out).
    mutating func failed(address: UInt64) {
        for i in peers.indices where peers[i].contact.address == address { peers[i].state = .failed }
    }

    /// Peers asked more than `timeout` seconds ago fail; returns them.
    mutating func timeOut(now: Double, timeout: Double) -> [DHTContact] {
        var late: [DHTContact] = []
        for i in peers.indices {
            if case .asked(let at) = peers[i].state, now > at + timeout {
                peers[i].state = .failed
                late.append(peers[i].contact)
            }
        }
        return late
    }

    /// The k closest peers that did not fail.
    private func closestLive(_ k: Int) -> ArraySlice<Peer> {
        peers.filter { $0.state != .failed }.prefix(k)
    }

    /// True once values were found (value lookups) or the k closest live
    /// peers have all answered or nobody is left to ask or wait for.
    func isDone(k: Int) -> Bool {
        if kind == .value && !values.isEmpty { return true }
        return closestLive(k).allSatisfy { $0.state == .answered }
    }

    /// The next peers to ask (closest unasked among the k closest live ones,
    /// keeping at most `alpha` requests in flight), marked asked at `now`.
    mutating func nextRequests(k: Int, alpha: Int, now: Double) -> [Peer] {
        guard !isDone(k: k) else { return [] }
        let window = closestLive(k)
        let inFlight = window.filter { if case .asked = $0.state { return true } else { return false } }.count
        let chosen = window.filter { $0.state == .candidate }.prefix(max(alpha - inFlight, 0)).map(\.cookie)
        var out: [Peer] = []
        for i in peers.indices where chosen.contains(peers[i].cookie) {
            peers[i].state = .asked(at: now)
            out.append(peers[i])
        }
        return out
    }

    /// True while some request is unanswered.
    var awaitingAnswers: Bool {
        peers.contains { if case .asked = $0.state { return true } else { return false } }
    }

    /// The closest peers that answered.
    func closestAnswered(_ count: Int) -> [DHTContact] {
        Array(peers.filter { $0.state == .answered }.prefix(count).map(\.contact))
    }
}
