import Logging
import Synchronization

/// Link-state routing of a unicast IPCP (ipcps.md §6.9): the neighbour list,
/// the LSDB, the graph, LSA flooding over Management flows and the forwarding
/// tables (one per QoS cube, all computing the same table).
///
/// The daemon reports connection events and received LSAs, provides `send`
/// (write one LSA SDU on a Management flow) and calls `periodicUpdate` every
/// `updateInterval` and `periodicRecalculation` every `recalculationInterval`
/// seconds (`start(on:)` schedules both).
public final class LinkStateRouting: Sendable {
    /// Number of QoS cubes, hence of forwarding tables.
    public static let cubes = 3

    public let address: UInt64
    public let config: LinkStateConfig
    /// The forwarding table of each QoS cube (index = qc).
    public let forwardingTables: [any PacketForwarding]

    private struct State {
        var neighbours = Neighbours()
        var database = LinkStateDatabase()
        var graph = Graph()
        var modified = false
        /// Last seqno announced for each own adjacency, kept across its removal.
        var lastOwnSeqno: [UInt64: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let clock: any TimeSource
    private let send: @Sendable (_ fd: Int32, _ lsa: [UInt8]) -> Void
    private let dropped = Atomic<Int>(0)
    private let log = Logger(label: "ipcpd/link-state")

    public init(address: UInt64, config: LinkStateConfig, clock: any TimeSource = SystemTime(),
                send: @escaping @Sendable (_ fd: Int32, _ lsa: [UInt8]) -> Void) {
        self.address = address
        self.config = config
        self.clock = clock
        self.send = send
        forwardingTables = (0..<Self.cubes).map { _ in config.policy.makeForwardingTable() }
    }

    /// Schedules the periodic update and recalculation on `timers`.
    public func start(on timers: PeriodicTimers) {
        timers.schedule(every: config.updateInterval) { [self] in periodicUpdate() }
        timers.schedule(every: config.recalculationInterval) { [self] in periodicRecalculation() }
    }

    /// Malformed LSAs received and dropped so far.
    public var droppedLSAs: Int { dropped.load(ordering: .relaxed) }

    /// The LSDB, sorted by (destination, source).
    public var adjacencies: [Adjacency] { state.withLock { $0.database.adjacencies } }

    /// The routing table computed from the current graph.
    public var routingTable: [RoutingEntry] {
        state.withLock { $0.graph.routingTable(from: address, policy: config.policy) }
    }

    // MARK: - Connection events

    /// A DT N-1 connection to `neighbour` was established on `fd`: announce the
    /// adjacency and use it. The seqno starts at 0 (or continues where an
    /// earlier connection to the same neighbour left off, so that routers
    /// still holding the old adjacency accept the new one at once).
    public func dataTransferConnectionAdded(neighbour: UInt64, fd: Int32) {
        let (lsa, targets) = state.withLock { s -> (LinkStateAdvertisement, [Int32]) in
            let seqno = s.lastOwnSeqno[neighbour].map { $0 &+ 1 } ?? 0
            s.lastOwnSeqno[neighbour] = seqno
            s.neighbours.add(address: neighbour, fd: fd, kind: .dataTransfer)
            let lsa = LinkStateAdvertisement(source: address, destination: neighbour, seqno: seqno)
            if insert(lsa, into: &s) != .added { s.modified = true }
            return (lsa, s.neighbours.managementFDs())
        }
        flood(lsa.serialize(), to: targets)
    }

    /// The DT N-1 connection to `neighbour` on `fd` was removed: drop the
    /// local adjacency (no LSA: other routers time it out) and recompute at
    /// once (the reference waits for the next periodic recalculation).
    public func dataTransferConnectionRemoved(neighbour: UInt64, fd: Int32) {
        flowStateChanged(fd: fd, up: false)
        state.withLock { s in
            s.neighbours.remove(address: neighbour, fd: fd)
            if s.database.remove(source: address, destination: neighbour) {
                s.graph.deleteEdge(address, neighbour)
            }
            recalculate(&s)
        }
    }

    /// A DT N-1 flow went down or came back (only alternate PFFs react).
    public func flowStateChanged(fd: Int32, up: Bool) {
        forwardingTables.forEach { $0.flowStateChanged(fd: fd, up: up) }
    }

    /// A Management N-1 connection to `neighbour` was established on `fd`
    /// (read it without partial reads and pass its SDUs to `received`): it
    /// gets the whole LSDB.
    public func managementConnectionAdded(neighbour: UInt64, fd: Int32) {
        let lsas = state.withLock { s in
            s.neighbours.add(address: neighbour, fd: fd, kind: .management)
            return s.database.adjacencies.map { $0.advertisement.serialize() }
        }
        lsas.forEach { send(fd, $0) }
    }

    /// The Management N-1 connection to `neighbour` on `fd` was removed.
    public func managementConnectionRemoved(neighbour: UInt64, fd: Int32) {
        state.withLock { $0.neighbours.remove(address: neighbour, fd: fd) }
    }

    // MARK: - LSAs

    /// An SDU read from the Management flow `fd`. A new or newer LSA is stored
    /// and flooded unchanged to every other Management neighbour; malformed
    /// ones are counted and dropped. LSAs about this router's own adjacencies
    /// are ignored: it is the only authority on them.
    public func received(_ sdu: [UInt8], from fd: Int32) {
        let lsa: LinkStateAdvertisement
        do {
            lsa = try LinkStateAdvertisement(parsing: sdu)
        } catch {
            dropped.add(1, ordering: .relaxed)
            log.debug("Dropped LSA on fd \(fd): \(error).")
            return
        }
        guard lsa.source != address else { return }
        let targets = state.withLock { s -> [Int32] in
            insert(lsa, into: &s) == .rejected ? [] : s.neighbours.managementFDs(except: fd)
        }
        flood(sdu, to: targets)
    }

    /// Stores `lsa`; a new adjacency updates the graph and recalculates at once.
    private func insert(_ lsa: LinkStateAdvertisement, into s: inout State) -> LinkStateDatabase.Insertion {
        let result = s.database.insert(source: lsa.source, destination: lsa.destination,
                                       seqno: lsa.seqno, now: clock.now)
        if result == .added {
            s.graph.updateEdge(lsa.source, lsa.destination)
            recalculate(&s)
        }
        return result
    }

    private func flood(_ sdu: [UInt8], to fds: [Int32]) {
        fds.forEach { send($0, sdu) }
    }

    // MARK: - Timers

    /// Every `updateInterval`: expire stale adjacencies, then bump the seqno of
    /// each own adjacency and announce it to all Management neighbours.
    public func periodicUpdate() {
        let (lsas, targets) = state.withLock { s -> ([[UInt8]], [Int32]) in
            expire(&s)
            let own = s.database.refresh(announcedBy: address, now: clock.now)
            for adjacency in own { s.lastOwnSeqno[adjacency.destination] = adjacency.seqno }
            return (own.map { $0.advertisement.serialize() }, s.neighbours.managementFDs())
        }
        for lsa in lsas { flood(lsa, to: targets) }
    }

    /// Every `recalculationInterval`: expire stale adjacencies and recompute
    /// the forwarding tables if the graph changed since the last computation.
    /// (The reference only expires in the update task and does not recompute
    /// after expiry; here a dead router's links leave the tables within
    /// timeout + recalculationInterval.)
    public func periodicRecalculation() {
        state.withLock { s in
            expire(&s)
            if s.modified { recalculate(&s) }
        }
    }

    private func expire(_ s: inout State) {
        for adjacency in s.database.expire(now: clock.now, timeout: config.timeout) {
            log.debug("Adjacency \(adjacency.source) -> \(adjacency.destination) timed out.")
            s.graph.deleteEdge(adjacency.source, adjacency.destination)
            s.modified = true
        }
    }

    /// Maps each next hop to the fd of its DT neighbour and installs the table
    /// in every cube's PFF.
    private func recalculate(_ s: inout State) {
        s.modified = false
        let entries = s.graph.routingTable(from: address, policy: config.policy).compactMap { entry in
            let fds = entry.nextHops.compactMap { s.neighbours.dataTransferFD(of: $0) }
            return fds.isEmpty ? nil : ForwardingEntry(destination: entry.destination, fds: fds)
        }
        forwardingTables.forEach { $0.replace(with: entries) }
    }
}
