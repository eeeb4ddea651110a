import DevKit
import IPCPCommon
@testable import IPCPUnicast
import Synchronization
import XCTest

final class LinkStateRoutingTests: XCTestCase {
    func testLineForwardsThroughTheMiddle() {
        let net = RouterNetwork()
        for a: UInt64 in [0xA, 0xB, 0xC] { net.add(a) }
        let (abAtA, _) = net.connect(0xA, 0xB)
        net.connect(0xB, 0xC)
        XCTAssertEqual(net.path(from: 0xA, to: 0xC), [0xA, 0xB, 0xC])
        XCTAssertEqual(net.path(from: 0xC, to: 0xA), [0xC, 0xB, 0xA])
        for cube in QoSCube.allCases {
            XCTAssertEqual(net.router(0xA).forwardingTable(for: cube).nextHop(Address(0xC)), Flow(fd: abAtA))
        }
        XCTAssertEqual(net.router(0xA).routingTable, [RoutingEntry(destination: 0xB, nextHops: [0xB]),
                                                      RoutingEntry(destination: 0xC, nextHops: [0xB])])
        // Every router holds all four adjacencies.
        for a: UInt64 in [0xA, 0xB, 0xC] { XCTAssertEqual(net.router(a).adjacencies.count, 4) }
    }

    func testNewAdjacencyIsAnnouncedWithSeqnoZero() throws {
        let sent = Mutex<[(Int32, [UInt8])]>([])
        let r = LinkStateRouting(address: Address(0x1aee_f404), config: LinkStateConfig(), clock: ManualTime()) { flow, sdu in
            sent.withLock { $0.append((flow.fd, sdu)) }
        }
        let b = Address(0xe681_20be)
        r.managementConnectionAdded(Flow(fd: 64), neighbour: b)
        XCTAssertTrue(sent.withLock { $0.isEmpty }, "empty LSDB: nothing to replicate")
        r.dataTransferConnectionAdded(Flow(fd: 65), neighbour: b)
        let announced = try Vector.named("LSA from A (seqno 0)")[0].bytes
        XCTAssertEqual(sent.withLock { $0.map(\.0) }, [64])
        XCTAssertEqual(sent.withLock { $0.map(\.1) }, [announced])
        r.periodicUpdate()
        r.periodicUpdate()
        XCTAssertEqual(sent.withLock { $0.map(\.1) }.suffix(2),
                       [try Vector.named("LSA from A (seqno 1)")[0].bytes, try Vector.named("LSA from A (seqno 2)")[0].bytes])
        // A new Management neighbour gets the whole LSDB with stored seqnos.
        r.received(try Vector.named("LSA from B (seqno 0)")[0].bytes, from: Flow(fd: 64))
        r.managementConnectionAdded(Flow(fd: 70), neighbour: Address(0x77))
        let replica = sent.withLock { $0.filter { $0.0 == 70 }.map(\.1) }
        XCTAssertEqual(replica, [try Vector.named("LSA from B (seqno 0)")[0].bytes,
                                 try Vector.named("LSA from A (seqno 2)")[0].bytes])
        XCTAssertEqual(r.forwardingTable(for: .bestEffort).nextHop(b), Flow(fd: 65))
    }

    func testFloodingRulesAndSequenceNumbers() {
        let net = RouterNetwork()
        for a: UInt64 in [1, 2, 3, 4] { net.add(a) }
        net.connect(1, 2)
        net.connect(1, 3)
        net.connect(1, 4)
        let lsa = LinkStateAdvertisement(source: 9, destination: 2, seqno: 5).serialize()
        let ingress = fdAt(net, 1, towards: 2)
        let before = net.sentCount
        net.inject(lsa, at: 1, fd: ingress)
        XCTAssertEqual(net.sentCount - before, 2, "flooded to every Management neighbour but the ingress one")
        for a: UInt64 in [1, 3, 4] {
            XCTAssertEqual(net.router(a).adjacencies.first { $0.source == 9 }?.seqno, 5)
        }
        XCTAssertNil(net.router(2).adjacencies.first { $0.source == 9 }, "not sent back to the ingress")
        let repeated = net.sentCount
        net.inject(lsa, at: 1, fd: ingress)
        net.inject(LinkStateAdvertisement(source: 9, destination: 2, seqno: 4).serialize(), at: 1, fd: ingress)
        XCTAssertEqual(net.sentCount, repeated, "old and repeated seqnos are not flooded")
        net.inject(LinkStateAdvertisement(source: 9, destination: 2, seqno: 6).serialize(), at: 1, fd: ingress)
        XCTAssertEqual(net.sentCount - repeated, 2)
        XCTAssertEqual(net.router(3).adjacencies.first { $0.source == 9 }?.seqno, 6)

        // LSAs about the receiver's own adjacencies are not taken from others.
        let own = net.sentCount
        net.inject(LinkStateAdvertisement(source: 1, destination: 3, seqno: 99).serialize(), at: 1, fd: ingress)
        XCTAssertEqual(net.sentCount, own)
        XCTAssertEqual(net.router(1).adjacencies.first { $0.source == 1 && $0.destination == 3 }?.seqno, 0)
    }

    func testMalformedLSAsAreCountedAndDropped() {
        let net = RouterNetwork()
        net.add(1)
        net.add(2)
        net.connect(1, 2)
        let fd = fdAt(net, 1, towards: 2)
        let before = net.router(1).adjacencies
        net.inject([1, 2, 3], at: 1, fd: fd)
        net.inject([UInt8](repeating: 0, count: 48), at: 1, fd: fd)
        net.inject(LinkStateAdvertisement(source: 5, destination: 5, seqno: 1).serialize(), at: 1, fd: fd)
        XCTAssertEqual(net.router(1).droppedLSAs, 3)
        XCTAssertEqual(net.router(1).adjacencies, before)
    }

    func testPeriodicUpdateRefreshesAndTimeoutExpires() {
        let net = RouterNetwork(config: LinkStateConfig(recalcSeconds: 4, updateSeconds: 15, timeoutSeconds: 60))
        for a: UInt64 in [1, 2, 3] { net.add(a) }
        net.connect(1, 2)
        net.connect(2, 3)
        for _ in 0..<8 {
            net.clock.advance(by: 15)
            net.tick()
        }
        XCTAssertEqual(net.router(1).adjacencies.count, 4, "refreshed adjacencies never time out")
        XCTAssertEqual(net.router(1).adjacencies.first { $0.source == 3 }?.seqno, 8)
        XCTAssertEqual(net.path(from: 1, to: 3), [1, 2, 3])

        net.kill(3)
        net.clock.advance(by: 30)
        net.tick()
        XCTAssertEqual(net.path(from: 1, to: 3), [1, 2, 3], "not yet timed out")
        net.clock.advance(by: 31)
        net.router(1).periodicRecalculation()
        XCTAssertNil(net.router(1).forwardingTable(for: .bestEffort).nextHop(Address(3)))
        XCTAssertFalse(net.router(1).adjacencies.contains { $0.source == 3 })
    }

    /// A ring 1-2-3-4-1: after 2 dies, 1 and 3 reach each other through 4
    /// within timeout + recalculation interval.
    func testRingReconvergesAfterANodeDies() {
        let (net, _) = RouterNetwork.ring([1, 2, 3, 4])
        XCTAssertEqual(net.path(from: 1, to: 3), [1, 2, 3], "ties: lowest address")
        XCTAssertEqual(net.path(from: 3, to: 1), [3, 2, 1])
        net.kill(2)
        var elapsed = 0
        while net.path(from: 1, to: 3) != [1, 4, 3] || net.path(from: 3, to: 1) != [3, 4, 1], elapsed < 100 {
            net.clock.advance(by: 1)
            elapsed += 1
            let live: [UInt64] = [1, 3, 4]
            if elapsed % 15 == 0 { live.forEach { net.router($0).periodicUpdate() } }
            net.pump()
            if elapsed % 4 == 0 { live.forEach { net.router($0).periodicRecalculation() } }
        }
        XCTAssertGreaterThan(elapsed, 60)
        XCTAssertLessThanOrEqual(elapsed, 60 + 4 + 1)
        XCTAssertNil(net.path(from: 1, to: 2))
    }

    /// A DT flow going down withdraws the own adjacency at once (the router
    /// routes around it); coming back announces it again with a new seqno.
    func testFlowDownWithdrawsTheAdjacencyAndUpAnnouncesIt() {
        let (net, links) = RouterNetwork.ring([1, 2, 3, 4])
        let dt12 = links[0].0
        XCTAssertEqual(net.nextRouter(from: 1, to: 3), 2)
        net.router(1).flowStateChanged(Flow(fd: dt12), up: false)
        XCTAssertEqual(net.nextRouter(from: 1, to: 3), 4, "around the down flow, without waiting for a timeout")
        XCTAssertNil(net.router(1).adjacencies.first { $0.source == 1 && $0.destination == 2 })
        net.router(1).flowStateChanged(Flow(fd: dt12), up: true)
        net.pump()
        XCTAssertEqual(net.nextRouter(from: 1, to: 3), 2)
        XCTAssertEqual(net.router(3).adjacencies.first { $0.source == 1 && $0.destination == 2 }?.seqno, 2,
                       "announced again, with the seqno after the withdrawal's")
    }

    /// A link cut seen at both ends: their withdrawals flood, and a router
    /// that sent replies towards the cut (3 reached 1 through 2) reroutes
    /// at once instead of after ls_t_timeo. An older announcement still in
    /// flight does not bring the link back; a newer one does.
    func testWithdrawalsReachEveryRouterAtOnce() {
        let (net, links) = RouterNetwork.ring([1, 2, 3, 4])
        let (dt12, dt21) = links[0]
        XCTAssertEqual(net.path(from: 3, to: 1), [3, 2, 1])
        net.router(1).flowStateChanged(Flow(fd: dt12), up: false)
        net.router(2).flowStateChanged(Flow(fd: dt21), up: false)
        net.pump()
        XCTAssertEqual(net.path(from: 3, to: 1), [3, 4, 1])
        XCTAssertEqual(net.path(from: 2, to: 1), [2, 3, 4, 1])
        for a: UInt64 in [3, 4] {
            XCTAssertFalse(net.router(a).adjacencies.contains { [$0.source, $0.destination].sorted() == [1, 2] })
            XCTAssertEqual(net.router(a).withdrawnAdjacencies.map { [$0.source, $0.destination] }, [[2, 1], [1, 2]])
        }
        XCTAssertTrue(net.router(3).lsdbInfo.rendered().contains("02.00.00.00--01.00.00.00 (withdrawn)\n    seqno: 1\n"),
                      net.router(3).lsdbInfo.rendered())

        let stale = LinkStateAdvertisement(source: 2, destination: 1, seqno: 0).serialize()
        let before = net.sentCount
        net.inject(stale, at: 3, fd: net.managementFD(at: 3, towards: 4)!)
        XCTAssertEqual(net.sentCount, before, "an older announcement is dropped, not flooded")
        XCTAssertFalse(net.router(3).adjacencies.contains { $0.source == 2 && $0.destination == 1 })

        net.router(1).flowStateChanged(Flow(fd: dt12), up: true)
        net.router(2).flowStateChanged(Flow(fd: dt21), up: true)
        net.pump()
        XCTAssertEqual(net.router(3).adjacencies.first { $0.source == 2 && $0.destination == 1 }?.seqno, 2)
        XCTAssertEqual(net.router(3).withdrawnAdjacencies, [], "announced again: no longer withdrawn")
        XCTAssertEqual(net.path(from: 3, to: 1), [3, 2, 1])
    }

    func testRemovedConnectionLeavesTheTableAndReconnectIsAcceptedAtOnce() {
        let net = RouterNetwork()
        for a: UInt64 in [1, 2, 3] { net.add(a) }
        net.connect(1, 2)
        let (dt23, dt32) = net.connect(2, 3)
        net.clock.advance(by: 15)
        net.tick()
        net.router(2).dataTransferConnectionRemoved(Flow(fd: dt23), neighbour: Address(3))
        net.router(3).dataTransferConnectionRemoved(Flow(fd: dt32), neighbour: Address(2))
        XCTAssertNil(net.router(2).forwardingTable(for: .bestEffort).nextHop(Address(3)), "removal takes effect at once")
        net.pump()
        XCTAssertNil(net.nextRouter(from: 1, to: 3), "the withdrawals reach router 1 at once")

        // Reconnecting continues the seqno past the withdrawal's, so router 1 accepts it at once.
        net.connect(2, 3)
        XCTAssertEqual(net.router(1).adjacencies.first { $0.source == 3 && $0.destination == 2 }?.seqno, 3)
        XCTAssertEqual(net.path(from: 1, to: 3), [1, 2, 3])
        XCTAssertEqual(net.path(from: 3, to: 1), [3, 2, 1])
    }

    func testTimersRunPeriodicTasks() {
        let sent = Mutex(0)
        let config = LinkStateConfig(recalcSeconds: 1, updateSeconds: 1, timeoutSeconds: 60)
        let r = LinkStateRouting(address: Address(1), config: config) { _, _ in sent.withLock { $0 += 1 } }
        r.managementConnectionAdded(Flow(fd: 64), neighbour: Address(2))
        r.dataTransferConnectionAdded(Flow(fd: 65), neighbour: Address(2))
        let timers = Timers()
        let handles = r.start(on: timers)
        let deadline = Date().addingTimeInterval(5)
        while sent.withLock({ $0 }) < 2, Date() < deadline { usleep(10_000) }
        handles.forEach { $0.cancel() }
        timers.stop()
        XCTAssertGreaterThanOrEqual(sent.withLock { $0 }, 2)
        XCTAssertGreaterThanOrEqual(r.adjacencies.first?.seqno ?? 0, 1)
    }

    private func fdAt(_ net: RouterNetwork, _ a: UInt64, towards b: UInt64) -> Int32 {
        net.managementFD(at: a, towards: b)!
    }
}
