/// An adjacency announced by `source` towards `destination`.
public struct Adjacency: Sendable, Equatable {
    public let source: UInt64
    public let destination: UInt64
    public var seqno: UInt64
    /// When it was inserted or last refreshed (TimeSource seconds).
    public var stamp: Double

    var advertisement: LinkStateAdvertisement {
        LinkStateAdvertisement(source: source, destination: destination, seqno: seqno)
    }
}

/// The link-state database (ipcps.md §6.9.3, §6.9.5): adjacencies sorted by
/// (destination, source), each with the highest sequence number seen.
struct LinkStateDatabase: Sendable {
    enum Insertion: Equatable {
        /// A new adjacency: the graph changes.
        case added
        /// A higher seqno for a known adjacency.
        case refreshed
        /// An old or repeated seqno: drop, do not flood.
        case rejected
    }

    /// What a withdrawal did.
    enum Withdrawal: Equatable {
        /// The adjacency was in the database and is gone: the graph changes.
        case removed
        /// Not in the database, but newer than any withdrawal seen: flood it.
        case recorded
        /// Older than the adjacency held or a withdrawal seen: drop it.
        case rejected
    }

    private struct Link: Hashable {
        let source: UInt64
        let destination: UInt64
    }

    private(set) var adjacencies: [Adjacency] = []
    /// Withdrawn adjacencies with the withdrawal's seqno and time: an
    /// announcement still being flooded with an older seqno must not bring
    /// them back. Kept as long as an adjacency would be.
    private var withdrawals: [Link: (seqno: UInt64, stamp: Double)] = [:]

    private func position(_ source: UInt64, _ destination: UInt64) -> (index: Int, found: Bool) {
        var low = 0
        var high = adjacencies.count
        while low < high {
            let mid = (low + high) / 2
            let a = adjacencies[mid]
            if (a.destination, a.source) < (destination, source) { low = mid + 1 } else { high = mid }
        }
        let found = low < adjacencies.count && adjacencies[low].source == source
            && adjacencies[low].destination == destination
        return (low, found)
    }

    mutating func insert(source: UInt64, destination: UInt64, seqno: UInt64, now: Double) -> Insertion {
        let link = Link(source: source, destination: destination)
        if let w = withdrawals[link] {
            guard seqno > w.seqno else { return .rejected }
            withdrawals[link] = nil
        }
        let (i, found) = position(source, destination)
        guard found else {
            adjacencies.insert(Adjacency(source: source, destination: destination, seqno: seqno, stamp: now), at: i)
            return .added
        }
        guard seqno > adjacencies[i].seqno else { return .rejected }
        adjacencies[i].seqno = seqno
        adjacencies[i].stamp = now
        return .refreshed
    }

    /// Removes (source, destination); false if absent.
    mutating func remove(source: UInt64, destination: UInt64) -> Bool {
        let (i, found) = position(source, destination)
        if found { adjacencies.remove(at: i) }
        return found
    }

    /// A withdrawal of (source, destination) with `seqno`: removes the
    /// adjacency unless it was announced again since (a higher seqno).
    mutating func withdraw(source: UInt64, destination: UInt64, seqno: UInt64, now: Double) -> Withdrawal {
        let link = Link(source: source, destination: destination)
        if let w = withdrawals[link], w.seqno >= seqno { return .rejected }
        let (i, found) = position(source, destination)
        if found && adjacencies[i].seqno > seqno { return .rejected }
        withdrawals[link] = (seqno, now)
        guard found else { return .recorded }
        adjacencies.remove(at: i)
        return .removed
    }

    /// The withdrawals remembered, as adjacencies with the withdrawal's
    /// seqno and time, sorted by (destination, source).
    var withdrawn: [Adjacency] {
        withdrawals.map { Adjacency(source: $0.key.source, destination: $0.key.destination, seqno: $0.value.seqno,
                                    stamp: $0.value.stamp) }
            .sorted { ($0.destination, $0.source) < ($1.destination, $1.source) }
    }

    /// Removes and returns adjacencies not refreshed for more than `timeout` s
    /// (and forgets withdrawals as old).
    mutating func expire(now: Double, timeout: Double) -> [Adjacency] {
        let expired = adjacencies.filter { now > $0.stamp + timeout }
        adjacencies.removeAll { now > $0.stamp + timeout }
        withdrawals = withdrawals.filter { now <= $0.value.stamp + timeout }
        return expired
    }

    /// Increments the seqno of every adjacency announced by `router`, stamps
    /// them `now` and returns them.
    mutating func refresh(announcedBy router: UInt64, now: Double) -> [Adjacency] {
        var refreshed: [Adjacency] = []
        for i in adjacencies.indices where adjacencies[i].source == router {
            adjacencies[i].seqno &+= 1
            adjacencies[i].stamp = now
            refreshed.append(adjacencies[i])
        }
        return refreshed
    }
}
