import DevKit
import IPCPCommon
import IPCPKit
@testable import IPCPUnicast
import XCTest

/// The unicast sections of `irm ipcp info`, rendered from the components.
final class UnicastInfoTests: XCTestCase {
    let own = Address(0x0100_000a)
    let peer = Address(0x0200_000a)

    func testLinkStateDatabaseAndForwardingTable() {
        let r = LinkStateRouting(address: own, config: LinkStateConfig(), clock: ManualTime()) { _, _ in }
        r.managementConnectionAdded(Flow(fd: 64), neighbour: peer)
        r.dataTransferConnectionAdded(Flow(fd: 65), neighbour: peer)
        XCTAssertEqual(r.lsdbInfo.rendered(), """
            /lsdb
              .mgmt 0a.00.00.02: fd 64
              .dt 0a.00.00.02: fd 65
              0a.00.00.01--0a.00.00.02
                seqno: 0
                upd: 2026-11-30 00:53:20 UTC

            """)
        // B's adjacency back to A completes the link.
        r.received(LinkStateAdvertisement(source: peer.rawValue, destination: own.rawValue, seqno: 0).serialize(),
                   from: Flow(fd: 64))
        XCTAssertEqual(r.lsdbInfo.children.map(\.name), [".mgmt 0a.00.00.02", ".dt 0a.00.00.02",
                                                         "0a.00.00.02--0a.00.00.01", "0a.00.00.01--0a.00.00.02"])
        let pff = r.pffInfo.rendered()
        XCTAssertTrue(pff.hasPrefix("/pff\n  qos 0\n    0a.00.00.02: via 0a.00.00.02 (fd 65)\n  qos 1\n"), pff)
    }

    func testEmptyRouting() {
        let r = LinkStateRouting(address: own, config: LinkStateConfig(), clock: ManualTime()) { _, _ in }
        XCTAssertEqual(r.lsdbInfo.rendered(), "/lsdb: empty\n")
        XCTAssertEqual(r.pffInfo.rendered(), "/pff\n  qos 0: no routes\n  qos 1: no routes\n  qos 2: no routes\n")
    }

    func testDHTShowsARegisteredNamesKey() {
        let sink = DHTSink()
        let key = HashAlgorithm.sha3_256.digest(name: "p.B")
        sink.node.register(key)
        let text = sink.node.info.rendered()
        XCTAssertTrue(text.hasPrefix("/dht\n  stats\n    id: " + InfoFormat.hex(sink.node.id) + "\n"), text)
        XCTAssertTrue(text.contains("    keys: 1\n    local values: 1\n    non-local values: 0\n"), text)
        XCTAssertTrue(text.contains("  database\n    \(InfoFormat.hex(key))\n      ef.cd.ab.90: local, t_replicated="), text)
    }

    func testDataTransferCountersPerFlowAndCube() {
        let dt = DataTransfer(address: own, maxTTL: 60, tables: QoSCube.allCases.map { _ in NoRoutes() },
                              congestion: NopCongestionAvoidance())
        XCTAssertEqual(dt.info.rendered(), "/dt.0a.00.00.01: no N-1 flows\n")
        let flow = Flow(fd: 66)
        dt.counters.track(flow, neighbour: peer, now: ManualTime().now)
        var packet = PCI(destination: Address(99), cube: 1, ttl: 1, ecn: 0, eid: 0).serialize()
        packet.withUnsafeMutableBytes { dt.receive($0, cube: .bestEffort, from: flow) }
        XCTAssertEqual(dt.info.rendered(), """
            /dt.0a.00.00.01
              66
                endpoint: 0a.00.00.02
                established: 2026-11-30 00:53:20 UTC
                qos 1
                  sent: 0 packets, 0 bytes
                  rcvd: 1 packets, \(PCI.length) bytes
                  local sent: 0 packets, 0 bytes
                  local rcvd: 0 packets, 0 bytes
                  dropped ttl: 1 packets, \(PCI.length) bytes
                  failed writes: 0 packets, 0 bytes
                  failed nhop: 0 packets, 0 bytes
                  dropped queue full: 0 packets, 0 bytes
              drops
                TTL expired: 1

            """)
        dt.counters.untrack(flow)
        dt.counters.track(flow, neighbour: peer, now: 0)
        XCTAssertEqual(dt.counters.count(.received, fd: 66, cube: .video).packets, 0, "a reused fd starts from zero")
    }
}
