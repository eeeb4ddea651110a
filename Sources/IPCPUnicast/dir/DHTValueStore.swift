/// The values a DHT node holds (ipcps.md §6.10.5, §6.10.7, §6.10.10): per
/// key, local values (names registered at this IPCP) and values other nodes
/// stored here, each with an absolute expiry and its last replication time.
struct DHTValueStore: Sendable {
    struct Value: Sendable, Equatable {
        let bytes: [UInt8]
        var expiry: Double
        var lastReplication: Double = 0
    }

    struct Entry: Sendable {
        var local: [Value] = []
        var remote: [Value] = []
    }

    /// Values returned per key at most.
    static let maxValues = 8

    private(set) var entries: [[UInt8]: Entry] = [:]

    /// Stores a value another node sent. Rejected if already expired;
    /// ignored if it is a local value here; a known value only has its
    /// expiry raised.
    @discardableResult
    mutating func store(key: [UInt8], value: [UInt8], expiry: Double, now: Double) -> Bool {
        guard expiry >= now else { return false }
        var e = entries[key] ?? Entry()
        if e.local.contains(where: { $0.bytes == value }) { return true }
        if let i = e.remote.firstIndex(where: { $0.bytes == value }) {
            e.remote[i].expiry = max(e.remote[i].expiry, expiry)
        } else {
            e.remote.append(Value(bytes: value, expiry: expiry))
        }
        entries[key] = e
        return true
    }

    /// Adds a value registered here, published `now`.
    mutating func addLocal(key: [UInt8], value: [UInt8], expiry: Double, now: Double) {
        var e = entries[key] ?? Entry()
        e.remote.removeAll { $0.bytes == value }
        if let i = e.local.firstIndex(where: { $0.bytes == value }) {
            e.local[i].expiry = max(e.local[i].expiry, expiry)
            e.local[i].lastReplication = now
        } else {
            e.local.append(Value(bytes: value, expiry: expiry, lastReplication: now))
        }
        entries[key] = e
    }

    mutating func removeLocal(key: [UInt8], value: [UInt8]) {
        guard var e = entries[key] else { return }
        e.local.removeAll { $0.bytes == value }
        entries[key] = e.local.isEmpty && e.remote.isEmpty ? nil : e
    }

    /// Up to 8 values for `key`: the others' first, then local ones.
    func values(for key: [UInt8]) -> [[UInt8]] {
        guard let e = entries[key] else { return [] }
        return Array((e.remote + e.local).prefix(Self.maxValues).map(\.bytes))
    }

    func hasLocal(key: [UInt8], value: [UInt8]) -> Bool {
        entries[key]?.local.contains { $0.bytes == value } ?? false
    }

    /// Drops the others' values past their expiry and keys left empty.
    /// Local values stay until unregistered (republication extends them).
    mutating func expire(now: Double) {
        for (key, var e) in entries {
            e.remote.removeAll { now > $0.expiry }
            entries[key] = e.local.isEmpty && e.remote.isEmpty ? nil : e
        }
    }

    /// A value due for replication: `key`, the value, and whether it is local.
    struct Due: Sendable {
        let key: [UInt8]
        let value: Value
        let local: Bool
    }

    /// Every value not replicated for `period` seconds and not expired, over
    /// all keys.
    func dueForReplication(now: Double, period: Double) -> [Due] {
        entries.flatMap { key, e in
            e.local.filter { now > $0.lastReplication + period }.map { Due(key: key, value: $0, local: true) }
                + e.remote.filter { now > $0.lastReplication + period && now <= $0.expiry }
                .map { Due(key: key, value: $0, local: false) }
        }
    }

    /// Records a replication of `value` under `key` at `now`; a local value's
    /// expiry becomes `expiry`.
    mutating func replicated(key: [UInt8], value: [UInt8], local: Bool, now: Double, expiry: Double) {
        guard var e = entries[key] else { return }
        if local, let i = e.local.firstIndex(where: { $0.bytes == value }) {
            e.local[i].lastReplication = now
            e.local[i].expiry = expiry
        } else if !local, let i = e.remote.firstIndex(where: { $0.bytes == value }) {
            e.remote[i].lastReplication = now
        }
        entries[key] = e
    }
}
