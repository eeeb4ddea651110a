import DevKit
import IPCPCommon
import Logging
import Synchronization

/// Link-state routing of a unicast IPCP (ipcps.md §6.9): the neighbour list,
/// the LSDB, the graph, LSA flooding over Management flows and the forwarding
/// tables (one per QoS cube, all computing the same table).
///
/// Pure logic: the owner reports connection events and received LSAs,
/// provides `send` (write one LSA SDU on a Management flow) and runs
/// `periodicUpdate` and `periodicRecalculation` (`start(on:)` schedules them).
/// `LinkStatePolicy` does all of that for the daemon.
public final class LinkStateRouting: Sendable {
    public let address: Address
    public let config: LinkStateConfig
    /// The forwarding table of each QoS cube (index = `QoSCube.rawValue`).
    public let forwardingTables: [any ForwardingTable]

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
    private let send: @Sendable (_ flow: Flow, _ lsa: [UInt8]) -> Void
    private let dropped = Atomic<Int>(0)
    private let log = Logger(label: "ipcpd/link-state")

    public init(address: Address, config: LinkStateConfig, clock: any TimeSource = SystemTime(),
                send: @escaping @Sendable (_ flow: Flow, _ lsa: [UInt8]) -> Void) {
        self.address = address
        self.config = config
        self.clock = clock
        self.send = send
        forwardingTables = QoSCube.allCases.map { _ in config.policy.makeForwardingTable() }
    }

    /// Schedules the periodic update and recalculation on `timers`.
    public func start(on timers: Timers) -> [Timers.Handle] {
        [timers.every(seconds: Double(config.updateSeconds)) { [self] in periodicUpdate() },
         timers.every(seconds: Double(config.recalcSeconds)) { [self] in periodicRecalculation() }]
    }

    public func forwardingTable(for cube: QoSCube) -> any ForwardingTable {
        forwardingTables[Int(cube.rawValue)]
    }

    /// Malformed LSAs received and dropped so far.
    public var droppedLSAs: Int { dropped.load(ordering: .relaxed) }

    /// The LSDB, sorted by (destination, source).
    public var adjacencies: [Adjacency] { state.withLock { $0.database.adjacencies } }

    /// Adjacencies other routers withdrew, kept for ls_t_timeo (seqno and
    /// time of the withdrawal), sorted by (destination, source).
    public var withdrawnAdjacencies: [Adjacency] { state.withLock { $0.database.withdrawn } }

    /// The neighbour list, by descending address.
    var neighbours: [Neighbours.Entry] { state.withLock { $0.neighbours.entries } }

    /// The routing table computed from the current graph.
    public var routingTable: [RoutingEntry] {
        state.withLock { $0.graph.routingTable(from: address.rawValue, policy: config.policy) }
    }

    // MARK: - Connection events

    /// A DT N-1 connection to `neighbour` is up on `flow`: announce the
    /// adjacency and use it. The seqno starts at 0 (or continues where an
    /// earlier connection to the same neighbour left off, so that routers
    /// still holding the old adjacency accept the new one at once).
    public func dataTransferConnectionAdded(_ flow: Flow, neighbour: Address) {
        let (lsa, targets) = state.withLock { s -> (LinkStateAdvertisement, [Flow]) in
            s.neighbours.add(address: neighbour.rawValue, flow: flow, kind: .dataTransfer)
            return announce(neighbour.rawValue, &s)
        }
        flood(lsa.serialize(), to: targets)
    }

    /// Stores a new own adjacency to `neighbour` (next seqno) and recomputes;
    /// returns its LSA and the Management flows to flood it on.
    private func announce(_ neighbour: UInt64, _ s: inout State) -> (LinkStateAdvertisement, [Flow]) {
        let seqno = s.lastOwnSeqno[neighbour].map { $0 &+ 1 } ?? 0
        s.lastOwnSeqno[neighbour] = seqno
        let lsa = LinkStateAdvertisement(source: address.rawValue, destination: neighbour, seqno: seqno)
        if insert(lsa, into: &s) != .added { recalculate(&s) }
        return (lsa, s.neighbours.managementFlows())
    }

    /// Drops the own adjacency to `neighbour`, recomputes at once and
    /// returns the withdrawal (next seqno) and the Management flows to flood
    /// it on; nil if the adjacency was not announced.
    private func withdraw(_ neighbour: UInt64, _ s: inout State) -> (LinkStateAdvertisement, [Flow])? {
        guard s.database.remove(source: address.rawValue, destination: neighbour) else { return nil }
        s.graph.deleteEdge(address.rawValue, neighbour)
        recalculate(&s)
        let seqno = s.lastOwnSeqno[neighbour].map { $0 &+ 1 } ?? 0
        s.lastOwnSeqno[neighbour] = seqno
        let lsa = LinkStateAdvertisement(source: address.rawValue, destination: neighbour, seqno: seqno, withdrawn: true)
        return (lsa, s.neighbours.managementFlows())
    }

    /// The DT N-1 connection to `neighbour` on `flow` was removed: drop the
    /// local adjacency, recompute at once (the reference waits for the next
    /// periodic recalculation) and flood its withdrawal (the reference lets
    /// other routers time it out).
    public func dataTransferConnectionRemoved(_ flow: Flow, neighbour: Address) {
        forwardingTables.forEach { $0.flowStateChanged(flow, up: false) }
        let withdrawal = state.withLock { s in
            s.neighbours.remove(address: neighbour.rawValue, flow: flow)
            return withdraw(neighbour.rawValue, &s)
        }
        if let (lsa, targets) = withdrawal { flood(lsa.serialize(), to: targets) }
    }

    /// A DT N-1 flow went down or came back: alternate tables switch at once,
    /// and the own adjacency over it is withdrawn (recomputed at once here and,
    /// through the flooded withdrawal, at every router) or announced again
    /// with a new seqno. The reference only marks the flow in the forwarding
    /// table, so with plain link-state routing traffic kept going into a cut
    /// link until the connection itself was removed, and replies routed
    /// towards the cut by other routers were lost until ls_t_timeo.
    public func flowStateChanged(_ flow: Flow, up: Bool) {
        forwardingTables.forEach { $0.flowStateChanged(flow, up: up) }
        let message = state.withLock { s -> (LinkStateAdvertisement, [Flow])? in
            guard let neighbour = s.neighbours.dataTransferAddress(of: flow) else { return nil }
            return up ? announce(neighbour, &s) : withdraw(neighbour, &s)
        }
        if let (lsa, targets) = message { flood(lsa.serialize(), to: targets) }
    }

    /// A Management N-1 connection to `neighbour` is up on `flow`: it gets the
    /// whole LSDB.
    public func managementConnectionAdded(_ flow: Flow, neighbour: Address) {
        let lsas = state.withLock { s in
            s.neighbours.add(address: neighbour.rawValue, flow: flow, kind: .management)
            return s.database.adjacencies.map { $0.advertisement.serialize() }
        }
        lsas.forEach { send(flow, $0) }
    }

    /// The Management N-1 connection to `neighbour` on `flow` was removed.
    public func managementConnectionRemoved(_ flow: Flow, neighbour: Address) {
        state.withLock { $0.neighbours.remove(address: neighbour.rawValue, flow: flow) }
    }

    // MARK: - LSAs

    /// An SDU read from the Management flow `flow`. A new or newer LSA is
    /// stored (a withdrawal removes its adjacency and recomputes at once) and
    /// flooded unchanged to every other Management neighbour; malformed ones
    /// are counted and dropped. LSAs about this router's own adjacencies are
    /// ignored: it is the only authority on them.
    public func received(_ sdu: [UInt8], from flow: Flow) {
        let lsa: LinkStateAdvertisement
        do {
            lsa = try LinkStateAdvertisement(parsing: sdu)
        } catch {
            dropped.add(1, ordering: .relaxed)
            log.debug("Dropped LSA on fd \(flow.fd): \(error).")
            return
        }
        guard lsa.source != address.rawValue else { return }
        let targets = state.withLock { s -> [Flow] in
            let news = lsa.withdrawn ? retract(lsa, from: &s) : insert(lsa, into: &s) != .rejected
            return news ? s.neighbours.managementFlows(except: flow) : []
        }
        flood(sdu, to: targets)
    }

    /// Applies a withdrawal; true if it is news to flood.
    private func retract(_ lsa: LinkStateAdvertisement, from s: inout State) -> Bool {
        switch s.database.withdraw(source: lsa.source, destination: lsa.destination, seqno: lsa.seqno, now: clock.now) {
        case .removed:
            log.debug("Adjacency \(Address(lsa.source)) -> \(Address(lsa.destination)) withdrawn.")
            s.graph.deleteEdge(lsa.source, lsa.destination)
            recalculate(&s)
            return true
        case .recorded: return true
        case .rejected: return false
        }
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

    private func flood(_ sdu: [UInt8], to flows: [Flow]) {
        flows.forEach { send($0, sdu) }
    }

    // MARK: - Timers

    /// Every `updateSeconds`: expire stale adjacencies, then bump the seqno of
    /// each own adjacency and announce it to all Management neighbours.
    public func periodicUpdate() {
        let (lsas, targets) = state.withLock { s -> ([[UInt8]], [Flow]) in
            expire(&s)
            let own = s.database.refresh(announcedBy: address.rawValue, now: clock.now)
            for adjacency in own { s.lastOwnSeqno[adjacency.destination] = adjacency.seqno }
            return (own.map { $0.advertisement.serialize() }, s.neighbours.managementFlows())
        }
        for lsa in lsas { flood(lsa, to: targets) }
    }

    /// Every `recalcSeconds`: expire stale adjacencies and recompute the
    /// forwarding tables if the graph changed since the last computation.
    /// (The reference only expires in the update task and does not recompute
    /// after expiry; here a dead router's links leave the tables within
    /// timeout + recalculation period.)
    public func periodicRecalculation() {
        state.withLock { s in
            expire(&s)
            if s.modified { recalculate(&s) }
        }
    }

    private func expire(_ s: inout State) {
        for adjacency in s.database.expire(now: clock.now, timeout: Double(config.timeoutSeconds)) {
            log.debug("Adjacency \(Address(adjacency.source)) -> \(Address(adjacency.destination)) timed out.")
            s.graph.deleteEdge(adjacency.source, adjacency.destination)
            s.modified = true
        }
    }

    /// Maps each next hop to the flow of its DT neighbour and installs the
    /// table in every cube's forwarding table.
    private func recalculate(_ s: inout State) {
        s.modified = false
        var entries: [Address: [Flow]] = [:]
        for entry in s.graph.routingTable(from: address.rawValue, policy: config.policy) {
            let flows = entry.nextHops.compactMap { s.neighbours.dataTransferFlow(of: $0) }
            if !flows.isEmpty { entries[Address(entry.destination)] = flows }
        }
        forwardingTables.forEach { $0.replace(with: entries) }
    }
}
