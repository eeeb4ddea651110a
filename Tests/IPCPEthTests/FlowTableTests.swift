import DevKit
import IPCPEth
import XCTest

/// Which received data frames reach a flow, for both shims.
final class FlowTableTests: XCTestCase {
    let peer = MACAddress(value: 0x0200_0000_0001)
    let stranger = MACAddress(value: 0x0200_0000_0002)
    let flow = Flow(fd: 70)

    func testDIXDeliversOnlyToActiveFlowsFromTheirPeer() throws {
        let flows = EthernetFlows(usesSAPs: false)
        let local = try flows.addOutgoing(80, to: peer, flow: flow)
        XCTAssertEqual(local, 80)
        let data = FrameEndpoints(destination: 80, source: 0)
        XCTAssertEqual(flows.destination(of: data, from: peer), .drop(.unknownEndpoint), "not answered yet")
        XCTAssertNil(flows.answer(local: 80, from: stranger, remote: 5), "reply from another MAC")
        XCTAssertNil(flows.answer(local: 81, from: peer, remote: 5), "reply for another endpoint")
        XCTAssertEqual(flows.answer(local: 80, from: peer, remote: 5)?.flowID, 80)
        XCTAssertNil(flows.answer(local: 80, from: peer, remote: 5), "answered twice")
        XCTAssertEqual(flows.destination(of: data, from: peer), .deliver(flow))
        XCTAssertEqual(flows.destination(of: data, from: stranger), .drop(.wrongSource))
        XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: 81, source: 0), from: peer),
                       .drop(.unknownEndpoint))
        XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: 0xFFFF, source: 0), from: peer),
                       .drop(.unknownEndpoint))
        flows.remove(80)
        XCTAssertEqual(flows.destination(of: data, from: peer), .drop(.unknownEndpoint))
        XCTAssertThrowsError(try flows.addOutgoing(70_000, to: peer, flow: nil))
    }

    func testLLCMapsSAPsAndChecksTheSourceSAP() throws {
        let flows = EthernetFlows(usesSAPs: true)
        XCTAssertEqual(try flows.addOutgoing(80, to: peer, flow: flow), 2)
        flows.addIncoming(90, from: peer, endpoint: 7)
        let accepted = try flows.accept(90, flow: Flow(fd: 71))
        XCTAssertEqual(accepted.localEndpoint, 3)
        XCTAssertEqual(accepted.remoteEndpoint, 7)
        XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: 3, source: 7), from: peer),
                       .deliver(Flow(fd: 71)))
        XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: 3, source: 8), from: peer),
                       .drop(.wrongSource))
        for sap: UInt16 in [0, 1, 66, 200] {
            XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: sap, source: 7), from: peer),
                           .drop(.unknownEndpoint))
        }
        XCTAssertNotNil(flows.answer(local: 2, from: peer, remote: 4))
        XCTAssertEqual(flows.destination(of: FrameEndpoints(destination: 2, source: 4), from: peer), .deliver(flow))
        flows.remove(80)
        XCTAssertEqual(try flows.addOutgoing(81, to: peer, flow: nil), 2, "SAP 2 free again")
    }

    func testLLCRunsOutOfSAPs() throws {
        let flows = EthernetFlows(usesSAPs: true)
        for i in 0..<64 { _ = try flows.addOutgoing(Int32(100 + i), to: peer, flow: nil) }
        XCTAssertThrowsError(try flows.addOutgoing(200, to: peer, flow: nil)) { XCTAssertEqual($0 as? OuroError, .noMemory) }
    }
}
