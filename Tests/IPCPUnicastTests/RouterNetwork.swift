import DevKit
import IPCPCommon
@testable import IPCPUnicast
import Synchronization

/// Link-state routers wired by in-memory Management and DT flows. LSAs are
/// queued when sent and delivered by `pump()` on the test thread.
final class RouterNetwork: Sendable {
    struct Endpoint: Hashable { let router: UInt64; let fd: Int32 }

    private struct State {
        var routers: [UInt64: LinkStateRouting] = [:]
        /// fd of a router → the flow's other end.
        var peers: [Endpoint: Endpoint] = [:]
        var queue: [(to: Endpoint, sdu: [UInt8])] = []
        var nextFD: Int32 = 64
        var down: Set<UInt64> = []
        /// (router, neighbour) → the router's Management fd to it.
        var management: [[UInt64]: Int32] = [:]
        var sent = 0
    }

    private let state = Mutex(State())
    let clock = ManualTime()
    let config: LinkStateConfig

    init(config: LinkStateConfig = LinkStateConfig()) { self.config = config }

    @discardableResult
    func add(_ address: UInt64) -> LinkStateRouting {
        let router = LinkStateRouting(address: Address(address), config: config, clock: clock) { [self] flow, sdu in
            state.withLock { s in
                s.sent += 1
                guard let peer = s.peers[Endpoint(router: address, fd: flow.fd)] else { return }
                s.queue.append((peer, sdu))
            }
        }
        state.withLock { $0.routers[address] = router }
        return router
    }

    func router(_ address: UInt64) -> LinkStateRouting { state.withLock { $0.routers[address]! } }

    /// Allocates a flow between a and b; returns (fd at a, fd at b).
    private func flow(_ a: UInt64, _ b: UInt64) -> (Int32, Int32) {
        state.withLock { s in
            let fa = s.nextFD
            let fb = s.nextFD + 1
            s.nextFD += 2
            s.peers[Endpoint(router: a, fd: fa)] = Endpoint(router: b, fd: fb)
            s.peers[Endpoint(router: b, fd: fb)] = Endpoint(router: a, fd: fa)
            return (fa, fb)
        }
    }

    /// Connects a and b like the connection manager does: a Management
    /// flow, then a DT flow. Returns the DT fds at a and at b.
    @discardableResult
    func connect(_ a: UInt64, _ b: UInt64) -> (Int32, Int32) {
        let (ma, mb) = flow(a, b)
        state.withLock { s in
            s.management[[a, b]] = ma
            s.management[[b, a]] = mb
        }
        router(a).managementConnectionAdded(Flow(fd: ma), neighbour: Address(b))
        router(b).managementConnectionAdded(Flow(fd: mb), neighbour: Address(a))
        let (da, db) = flow(a, b)
        router(a).dataTransferConnectionAdded(Flow(fd: da), neighbour: Address(b))
        router(b).dataTransferConnectionAdded(Flow(fd: db), neighbour: Address(a))
        pump()
        return (da, db)
    }

    /// Routers `addresses` in a ring, each connected to the next and the last
    /// to the first, in that order. Returns the DT fds of each link (at its
    /// first router, at its second).
    static func ring(_ addresses: [UInt64], config: LinkStateConfig = LinkStateConfig())
        -> (RouterNetwork, links: [(Int32, Int32)]) {
        let net = RouterNetwork(config: config)
        for a in addresses { net.add(a) }
        let links = addresses.indices.map { net.connect(addresses[$0], addresses[($0 + 1) % addresses.count]) }
        return (net, links)
    }

    func managementFD(at router: UInt64, towards neighbour: UInt64) -> Int32? {
        state.withLock { $0.management[[router, neighbour]] }
    }

    /// Inject an SDU as if it arrived at `router` on `fd`.
    func inject(_ sdu: [UInt8], at router: UInt64, fd: Int32) {
        state.withLock { $0.queue.append((Endpoint(router: router, fd: fd), sdu)) }
        pump()
    }

    /// A router dies: it stops receiving and its timers stop.
    func kill(_ address: UInt64) { state.withLock { _ = $0.down.insert(address) } }

    var sentCount: Int { state.withLock { $0.sent } }

    /// Delivers queued LSAs until none is left.
    func pump() {
        while true {
            let next = state.withLock { s -> (LinkStateRouting, [UInt8], Int32)? in
                while !s.queue.isEmpty {
                    let (to, sdu) = s.queue.removeFirst()
                    if !s.down.contains(to.router) { return (s.routers[to.router]!, sdu, to.fd) }
                }
                return nil
            }
            guard let (router, sdu, fd) = next else { return }
            router.received(sdu, from: Flow(fd: fd))
        }
    }

    /// Runs both periodic tasks on every live router, then delivers.
    func tick() {
        let live = state.withLock { s in s.routers.filter { !s.down.contains($0.key) }.map(\.value) }
        for r in live { r.periodicUpdate() }
        pump()
        for r in live { r.periodicRecalculation() }
    }

    /// The router a packet for `dst` leaves `from` to, via its PFF for cube 0.
    func nextRouter(from: UInt64, to dst: UInt64) -> UInt64? {
        guard let flow = router(from).forwardingTable(for: .bestEffort).nextHop(Address(dst)) else { return nil }
        return state.withLock { $0.peers[Endpoint(router: from, fd: flow.fd)]?.router }
    }

    /// The routers a packet from `from` to `dst` visits, following the PFFs.
    func path(from: UInt64, to dst: UInt64) -> [UInt64]? {
        var path = [from]
        while path.last != dst {
            guard path.count < 64, let hop = nextRouter(from: path.last!, to: dst) else { return nil }
            path.append(hop)
        }
        return path
    }
}
