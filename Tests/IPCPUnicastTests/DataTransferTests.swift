import DevKit
import IPCPCommon
import XCTest
@testable import IPCPUnicast

/// The DT's receive path without N-1 flows: local delivery by eid, the TTL,
/// and bad packets counted and dropped.
final class DataTransferTests: XCTestCase {
    let own = Address(0x1AEE_F404)

    private func makeDT() -> (DataTransfer, RecordingReceiver, RecordingReceiver, RecordingReceiver) {
        let dt = DataTransfer(address: own, maxTTL: 60, tables: QoSCube.allCases.map { _ in NoRoutes() },
                              congestion: NopCongestionAvoidance())
        let fa = RecordingReceiver(), dir = RecordingReceiver(), endpoints = RecordingReceiver()
        dt.register(fa, at: .flowAllocator)
        dt.register(dir, at: .directory)
        dt.setFlowEndpoints(endpoints)
        return (dt, fa, dir, endpoints)
    }

    /// The N-1 flow the test packets arrive on.
    let incoming = Flow(fd: 70)

    private func receive(_ dt: DataTransfer, _ bytes: [UInt8], cube: QoSCube = .bestEffort) {
        var packet = bytes
        packet.withUnsafeMutableBytes { dt.receive($0, cube: cube, from: incoming) }
    }

    func testLocalDeliveryByEndpoint() throws {
        let (dt, fa, dir, endpoints) = makeDT()
        receive(dt, PCI(destination: own, cube: 0, ttl: 60, ecn: 0, eid: 0).serialize() + [1, 2])
        receive(dt, PCI(destination: own, cube: 0, ttl: 60, ecn: 0, eid: 1).serialize() + [3])
        receive(dt, PCI(destination: own, cube: 0, ttl: 60, ecn: 5, eid: 0x9ABC_DEF0_0000_0050).serialize() + [4, 5, 6])
        XCTAssertEqual(fa.received.map(\.0), [[1, 2]])
        XCTAssertEqual(dir.received.map(\.0), [[3]])
        XCTAssertEqual(endpoints.received.map(\.0), [[4, 5, 6]])
        XCTAssertEqual(endpoints.received.first?.1, 0x9ABC_DEF0_0000_0050)
        XCTAssertEqual(endpoints.received.first?.2, 5, "the ECN byte reaches the flow allocator")
    }

    func testCapturedPacketIsDeliveredAtItsDestination() throws {
        let dt = DataTransfer(address: own, maxTTL: 60, tables: QoSCube.allCases.map { _ in NoRoutes() },
                              congestion: NopCongestionAvoidance())
        let endpoints = RecordingReceiver()
        dt.setFlowEndpoints(endpoints)
        let packet = try XCTUnwrap(Vector.named("DT data packet from B (N+1 flow, oping request)", in: "unicast-core.txt").first)
        receive(dt, packet.bytes)
        XCTAssertEqual(endpoints.received.first?.0, Array(packet.bytes.dropFirst(PCI.length)))
        XCTAssertEqual(endpoints.received.first?.1, 0xC1DE_EAD7_0000_0042)
    }

    func testBadPacketsAreCountedAndDropped() {
        let (dt, fa, dir, endpoints) = makeDT()
        receive(dt, [1, 2, 3])
        receive(dt, PCI(destination: own, cube: 0, ttl: 60, ecn: 0, eid: 7).serialize())
        receive(dt, PCI(destination: Address(99), cube: 0, ttl: 1, ecn: 0, eid: 0).serialize())
        receive(dt, PCI(destination: Address(99), cube: 2, ttl: 60, ecn: 0, eid: 0).serialize())
        // TTL 0 wraps to 255 and travels on (here: no route).
        receive(dt, PCI(destination: Address(99), cube: 0, ttl: 0, ecn: 0, eid: 0).serialize())
        XCTAssertEqual(dt.drops.count("packet shorter than the PCI"), 1)
        XCTAssertEqual(dt.drops.count("no component at eid 7"), 1)
        XCTAssertEqual(dt.drops.count("TTL expired"), 1)
        XCTAssertEqual(dt.drops.count("no route to \(Address(99))"), 2)
        XCTAssertTrue(fa.received.isEmpty && dir.received.isEmpty && endpoints.received.isEmpty)
    }

    /// Counters per incoming flow, in the cube of each packet's PCI.
    func testReceivedPacketsAreCountedPerFlowAndCube() {
        let (dt, _, _, _) = makeDT()
        let local = PCI(destination: own, cube: 0, ttl: 60, ecn: 0, eid: 1).serialize() + [1, 2]
        receive(dt, local)
        receive(dt, local)
        receive(dt, PCI(destination: Address(99), cube: 0, ttl: 1, ecn: 0, eid: 0).serialize())
        receive(dt, PCI(destination: Address(99), cube: 2, ttl: 60, ecn: 0, eid: 0).serialize())
        let c = dt.counters
        let be = QoSCube.bestEffort
        XCTAssertEqual(c.count(.received, fd: incoming.fd, cube: be).packets, 3)
        XCTAssertEqual(c.count(.received, fd: incoming.fd, cube: be).bytes, UInt64(2 * local.count + PCI.length))
        XCTAssertEqual(c.count(.localReceived, fd: incoming.fd, cube: be).packets, 2)
        XCTAssertEqual(c.count(.ttlExpired, fd: incoming.fd, cube: be).packets, 1)
        XCTAssertEqual(c.count(.received, fd: incoming.fd, cube: .voice).packets, 1)
        XCTAssertEqual(c.count(.noNextHop, fd: incoming.fd, cube: .voice).packets, 1)
        XCTAssertEqual(c.count(.received, fd: 71, cube: be).packets, 0)
    }

    func testSendingWithoutRouteFails() {
        let (dt, _, _, _) = makeDT()
        XCTAssertThrowsError(try dt.send([1], to: Address(99), cube: .bestEffort, eid: 0)) {
            XCTAssertEqual($0 as? OuroError, .permission)
        }
        XCTAssertThrowsError(try dt.send([1], to: own, cube: .bestEffort, eid: 0))
    }

    func testQoSCubes() {
        XCTAssertEqual(QoSCube(.raw), .bestEffort)
        XCTAssertEqual(QoSCube(.np1), .bestEffort)
        XCTAssertEqual(QoSCube(.video), .video)
        XCTAssertEqual(QoSCube(.voice), .voice)
        XCTAssertEqual(QoSCube(.data), .bestEffort)
    }

    func testCubeReadersNiceValuesFollowTheCubesPriorities() {
        XCTAssertEqual(PacketScheduler.nice(.bestEffort), 0)
        XCTAssertEqual(PacketScheduler.nice(.video), -8)
        XCTAssertEqual(PacketScheduler.nice(.voice), -10)
    }
}
