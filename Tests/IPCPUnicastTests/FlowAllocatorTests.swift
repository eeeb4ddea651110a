import DevKit
import IPCPCommon
import IPCPKit
import Foundation
import XCTest
@testable import IPCPUnicast

/// The flow allocator against a fake irmd and a capturing data transfer.
final class FlowAllocatorTests: XCTestCase {
    let own = Address(0x1AEE_F404)
    let peer = Address(0xE681_20BE)
    var irmd: FakeIRMd!
    var ipcp: IPCP!
    var dt: CapturingSender!
    var fa: FlowAllocator!
    let hash = HashAlgorithm.sha3_256.digest(name: "p.A0")

    override func setUpWithError() throws {
        irmd = try FakeIRMd()
        ipcp = IPCP(type: .unicast, name: "uA", irmdPID: 1, instance: irmd.instance, dataPath: ControlPlaneOnly())
        ipcp.setState(.operational)
        dt = CapturingSender(address: own)
        fa = FlowAllocator(ipcp: ipcp, dt: dt, directory: StaticDirectory([hash: peer]),
                           congestion: NopCongestionAvoidance(), hashLength: 32)
    }

    override func tearDown() {
        irmd?.stop()
    }

    func testRequestAndReply() throws {
        try ipcp.flows.add(N1Flow(flowID: 66, pid: 77, uid: 0))
        try fa.allocate(flowID: 66, hash: hash, qos: .raw, pk: [0xAA, 0xBB])
        let sent = try XCTUnwrap(dt.all.first)
        XCTAssertEqual(sent.destination, peer)
        XCTAssertEqual(sent.eid, ComponentEndpoint.flowAllocator.rawValue)
        XCTAssertEqual(sent.cube, .bestEffort)
        let request = try FlowAllocatorMessage(parsing: sent.payload)
        XCTAssertEqual(request.code, .request)
        XCTAssertEqual(request.sourceAddress, own)
        XCTAssertEqual(request.senderEID & 0xFFFF_FFFF, 66)
        XCTAssertNotEqual(request.senderEID >> 32, 0)
        XCTAssertEqual(request.qos, .raw)
        XCTAssertEqual(request.body, hash + [0xAA, 0xBB])

        fa.receive(FlowAllocatorMessage(code: .reply, receiverEID: request.senderEID, senderEID: 0x9ABC_DEF0_0000_0050,
                                        response: 0, body: [0xCC]).serialize())
        let reply = try XCTUnwrap(irmd.waitFor(.ipcpFlowAllocReply))
        XCTAssertEqual(reply.flowInfo.id, 66)
        XCTAssertEqual(reply.response, 0)
        XCTAssertEqual(reply.flowInfo.mpl, FlowAllocator.mpl)
        XCTAssertEqual([UInt8](reply.pk), [0xCC])
    }

    func testUnresolvableNameSendsNothing() {
        XCTAssertThrowsError(try fa.allocate(flowID: 66, hash: [UInt8](repeating: 1, count: 32), qos: .raw, pk: []))
        XCTAssertTrue(dt.all.isEmpty)
    }

    func testCapturedRequestArrives() throws {
        let captured = try XCTUnwrap(Vector.named("FA FLOW_REQ from B for \"p.A0\"", in: "unicast-core.txt").first)
        let request = try FlowAllocatorMessage(parsing: Array(captured.bytes.dropFirst(PCI.length)))
        fa.receive(Array(captured.bytes.dropFirst(PCI.length)))
        let arrival = try XCTUnwrap(irmd.waitFor(.ipcpFlowReqArr))
        XCTAssertEqual([UInt8](arrival.hash), hash)
        XCTAssertEqual([UInt8](arrival.pk), Array(request.body.dropFirst(32)), "the OAP header, opaque")
        XCTAssertEqual(arrival.flowInfo.mpl, FlowAllocator.mpl)
        XCTAssertEqual(QoSSpec(arrival.flowInfo.qos), request.qos)

        // irmd answered with flow 100; the application accepts.
        XCTAssertNotNil(ipcp.flows.waitFor(100, until: .after(milliseconds: 5000)))
        try fa.respond(flowID: 100, response: 0, pk: [0x01, 0x02])
        let sent = try XCTUnwrap(dt.all.first)
        XCTAssertEqual(sent.destination, Address(0xE681_20BE))
        let reply = try FlowAllocatorMessage(parsing: sent.payload)
        XCTAssertEqual(reply.code, .reply)
        XCTAssertEqual(reply.receiverEID, request.senderEID)
        XCTAssertEqual(reply.senderEID & 0xFFFF_FFFF, 100)
        XCTAssertEqual(reply.response, 0)
        XCTAssertEqual(reply.body, [0x01, 0x02])
        XCTAssertEqual(reply.sourceAddress, .none)
    }

    func testMalformedMessagesAreDropped() throws {
        fa.receive([UInt8](repeating: 0, count: 20))
        fa.receive(FlowAllocatorMessage(code: .request, sourceAddress: peer, body: [UInt8](repeating: 0, count: 2000)).serialize())
        fa.receive(FlowAllocatorMessage(code: .request, sourceAddress: peer, senderEID: 70, body: [1, 2, 3]).serialize())
        fa.receive(FlowAllocatorMessage(code: .reply, receiverEID: 0x1234_0000_0042).serialize())
        fa.receive(FlowAllocatorMessage(code: .update, receiverEID: 0x1234_0000_0042, ece: 3).serialize())
        let deadline = Deadline.after(milliseconds: 5000)
        while fa.drops.all.values.reduce(0, +) < 5 && !deadline.hasPassed { usleep(1000) }
        XCTAssertEqual(fa.drops.count("malformed FA message"), 1)
        XCTAssertEqual(fa.drops.count("FA message over 2048 bytes"), 1)
        XCTAssertEqual(fa.drops.count("malformed FLOW_REQ"), 1)
        XCTAssertEqual(fa.drops.count("FLOW_REPLY for an unknown eid"), 1)
        XCTAssertEqual(fa.drops.count("FLOW_UPDATE for an unknown eid"), 1)
        XCTAssertTrue(irmd.requests(.ipcpFlowReqArr).isEmpty)
        XCTAssertTrue(irmd.requests(.ipcpFlowAllocReply).isEmpty)
    }

    func testDataForUnknownEndpointsIsDropped() {
        [UInt8](repeating: 0, count: 8).withUnsafeBytes { fa.deliver($0, eid: 0x1234_0000_0042, ecn: 0) }
        XCTAssertEqual(fa.drops.count("packet for an unknown eid"), 1)
    }

    /// With mb-ecn, a congested packet makes the receiving FA report the level
    /// to the sender in a FLOW_UPDATE (61 bytes: r_eid and ece set, code 2,
    /// every other field 0), and the sender's FA takes it.
    func testMultiBitECNSendsFlowUpdate() throws {
        fa = FlowAllocator(ipcp: ipcp, dt: dt, directory: StaticDirectory([hash: peer]),
                           congestion: MultiBitECN(), hashLength: 32)
        try ipcp.flows.add(N1Flow(flowID: 66, pid: 77, uid: 0))
        try fa.allocate(flowID: 66, hash: hash, qos: .raw, pk: [])
        let request = try FlowAllocatorMessage(parsing: XCTUnwrap(dt.all.first).payload)
        let remoteEID: UInt64 = 0x9ABC_DEF0_0000_0050
        fa.receive(FlowAllocatorMessage(code: .reply, receiverEID: request.senderEID, senderEID: remoteEID,
                                        response: 0).serialize())
        XCTAssertNotNil(irmd.waitFor(.ipcpFlowAllocReply))

        [UInt8](repeating: 0, count: 8).withUnsafeBytes { fa.deliver($0, eid: request.senderEID, ecn: 0) }
        XCTAssertEqual(dt.all.count, 1, "no congestion, no report")
        [UInt8](repeating: 0, count: 8).withUnsafeBytes { fa.deliver($0, eid: request.senderEID, ecn: 0x2A) }
        let sent = try XCTUnwrap(dt.waitFor(2).last)
        XCTAssertEqual(sent.destination, peer)
        XCTAssertEqual(sent.eid, ComponentEndpoint.flowAllocator.rawValue)
        var expected = [UInt8](repeating: 0, count: FlowAllocatorMessage.headerLength)
        expected.replaceSubrange(8..<16, with: [0x9A, 0xBC, 0xDE, 0xF0, 0x00, 0x00, 0x00, 0x50])
        expected[57] = 0x2A
        expected[58] = 2
        XCTAssertEqual(sent.payload, expected)

        // The same message arriving back at the sender is taken without a drop.
        fa.receive(FlowAllocatorMessage(code: .update, receiverEID: request.senderEID, ece: 0x2A).serialize())
        fa.receive(FlowAllocatorMessage(code: .update, receiverEID: 0x1234_0000_0042, ece: 1).serialize())
        let deadline = Date().addingTimeInterval(2)
        while fa.drops.count("FLOW_UPDATE for an unknown eid") == 0 && Date() < deadline { usleep(1000) }
        XCTAssertEqual(fa.drops.count("FLOW_UPDATE for an unknown eid"), 1)
    }
}
