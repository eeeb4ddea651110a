/// The DHT's routing table (ipcps.md §6.10.6): a tree of buckets, each
/// holding up to k contacts (least recently seen first) and up to k
/// alternates. A full bucket whose range holds the own ID splits into 256
/// children, one per value of the next ID byte; other full buckets keep new
/// contacts as alternates, which replace contacts that stop answering.
struct DHTRoutingTable: Sendable {
    struct Contact: Sendable, Equatable {
        let id: [UInt8]
        let address: UInt64
        var lastSeen: Double
    }

    struct Bucket: Sendable {
        /// The ID bytes every contact of this bucket starts with.
        let prefix: [UInt8]
        var contacts: [Contact] = []
        var alternates: [Contact] = []
        var children: [Bucket] = []
        var refreshDeadline: Double

        var depth: Int { prefix.count }
    }

    static let fanOut = 256

    let ownID: [UInt8]
    let ownAddress: UInt64
    let k: Int
    let refreshPeriod: Double
    private(set) var root: Bucket

    init(ownID: [UInt8], ownAddress: UInt64, k: Int, refreshPeriod: Double, now: Double) {
        self.ownID = ownID
        self.ownAddress = ownAddress
        self.k = max(k, 1)
        self.refreshPeriod = refreshPeriod
        root = Bucket(prefix: [], refreshDeadline: now + refreshPeriod)
    }

    /// The path of child indexes from the root to the leaf bucket for `id`.
    private func path(to id: [UInt8]) -> [Int] {
        var path: [Int] = []
        var bucket = root
        while !bucket.children.isEmpty, bucket.depth < id.count {
            let i = Int(id[bucket.depth])
            path.append(i)
            bucket = bucket.children[i]
        }
        return path
    }

    private func bucket(at path: [Int]) -> Bucket {
        path.reduce(root) { $0.children[$1] }
    }

    private mutating func modify<R>(at path: [Int], _ body: (inout Bucket) -> R) -> R {
        func descend(_ b: inout Bucket, _ rest: ArraySlice<Int>) -> R {
            guard let i = rest.first else { return body(&b) }
            return descend(&b.children[i], rest.dropFirst())
        }
        return descend(&root, path[...])
    }

    /// Adds or refreshes a contact that was heard from or about. The own
    /// node, address 0 and IDs of the wrong length are ignored. An address
    /// seen with a new ID (a restarted node) replaces its old entry.
    mutating func add(id: [UInt8], address: UInt64, now: Double) {
        guard address != ownAddress, address != 0, id.count == ownID.count, id != ownID else { return }
        remove(address: address, promote: false)
        let where_ = path(to: id)
        let ownPrefix = Array(ownID.prefix(bucket(at: where_).depth))
        let (k, ownID) = (k, ownID)
        modify(at: where_) { b in
            let contact = Contact(id: id, address: address, lastSeen: now)
            if b.contacts.count < k {
                b.contacts.append(contact)
            } else if b.prefix == ownPrefix, b.depth < ownID.count {
                b.contacts.append(contact)
                Self.split(&b, k: k, ownID: ownID)
            } else {
                b.alternates.append(contact)
                if b.alternates.count > k { b.alternates.removeFirst() }
            }
        }
    }

    /// Splits `b` into 256 children and distributes its contacts and
    /// alternates; the child holding the own ID splits again while it has
    /// more than k contacts, the others keep the oldest k and demote the rest.
    private static func split(_ b: inout Bucket, k: Int, ownID: [UInt8]) {
        b.children = (0..<Self.fanOut).map {
            Bucket(prefix: b.prefix + [UInt8($0)], refreshDeadline: b.refreshDeadline)
        }
        for c in b.contacts { b.children[Int(c.id[b.depth])].contacts.append(c) }
        for c in b.alternates { b.children[Int(c.id[b.depth])].alternates.append(c) }
        b.contacts = []
        b.alternates = []
        for i in b.children.indices {
            var child = b.children[i]
            if child.contacts.count > k {
                if child.prefix == Array(ownID.prefix(child.depth)), child.depth < ownID.count {
                    split(&child, k: k, ownID: ownID)
                } else {
                    child.alternates = Array((child.contacts[k...] + child.alternates).suffix(k))
                    child.contacts.removeSubrange(k...)
                }
            }
            while child.contacts.count < k, let promoted = child.alternates.popLast() {
                child.contacts.append(promoted)
            }
            b.children[i] = child
        }
    }

    /// Forgets the contact with `address` (it stopped answering); the most
    /// recently seen alternate of its bucket takes its place.
    mutating func remove(address: UInt64, promote: Bool = true) {
        func walk(_ b: inout Bucket) {
            if b.children.isEmpty {
                b.alternates.removeAll { $0.address == address }
                guard let i = b.contacts.firstIndex(where: { $0.address == address }) else { return }
                b.contacts.remove(at: i)
                if promote, let replacement = b.alternates.popLast() { b.contacts.append(replacement) }
            } else {
                for i in b.children.indices { walk(&b.children[i]) }
            }
        }
        walk(&root)
    }

    /// Every contact (not alternates).
    var contacts: [Contact] {
        func collect(_ b: Bucket) -> [Contact] { b.children.isEmpty ? b.contacts : b.children.flatMap(collect) }
        return collect(root)
    }

    /// Up to `count` contacts closest to `key`; listing resets the refresh
    /// deadline of the key's bucket.
    mutating func closest(to key: [UInt8], count: Int, now: Double) -> [Contact] {
        let deadline = now + refreshPeriod
        modify(at: path(to: key)) { $0.refreshDeadline = deadline }
        let sorted = contacts.sorted { DHTIdentifier.closer($0.id, than: $1.id, to: key) }
        return Array(sorted.prefix(count))
    }

    /// The IDs to look up to refresh the buckets not listed for a refresh
    /// period whose least recently seen contact is older than that; their
    /// deadlines move one period on.
    mutating func dueForRefresh(now: Double) -> [[UInt8]] {
        let period = refreshPeriod
        func walk(_ b: inout Bucket) -> [[UInt8]] {
            guard b.children.isEmpty else { return b.children.indices.flatMap { walk(&b.children[$0]) } }
            guard now > b.refreshDeadline, let oldest = b.contacts.first, now > oldest.lastSeen + period else { return [] }
            b.refreshDeadline = now + period
            return [oldest.id]
        }
        return walk(&root)
    }

    /// The number of leaf buckets and the largest number of contacts in one.
    var shape: (buckets: Int, fullest: Int) {
        func walk(_ b: Bucket) -> (Int, Int) {
            guard !b.children.isEmpty else { return (1, b.contacts.count) }
            return b.children.map(walk).reduce((0, 0)) { ($0.0 + $1.0, max($0.1, $1.1)) }
        }
        return walk(root)
    }
}
