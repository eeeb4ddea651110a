import DevKit
import XCTest
@testable import IPCPKit

/// `irm ipcp info` in the skeleton: rendering, truncation and IPCP_INFO.
final class InfoTreeTests: XCTestCase {
    func makeIPCP(_ ops: any IPCPOperations) -> IPCP {
        let ipcp = IPCP(type: .udp4, name: "u1", irmdPID: 1, instance: Instance(environment: "/nonexistent"),
                        dataPath: ControlPlaneOnly())
        ipcp.install(ops)
        ipcp.setState(.boot)
        return ipcp
    }

    func testRenderingIndentsChildrenUnderThePath() {
        let tree = InfoNode("lsdb", nil, [
            InfoNode(".dt 0a.00.00.02", "fd 70"),
            InfoNode("0a.00.00.01--0a.00.00.02", nil, [InfoNode("seqno", "3")]),
        ])
        XCTAssertEqual(tree.rendered(), """
            /lsdb
              .dt 0a.00.00.02: fd 70
              0a.00.00.01--0a.00.00.02
                seqno: 3

            """)
        XCTAssertEqual(InfoNode("flows", "none").rendered(), "/flows: none\n")
    }

    func testTruncationKeepsWholeLinesAndSaysSo() {
        let text = (1...100).map { "line \($0)\n" }.joined()
        XCTAssertEqual(InfoNode.truncated(text, maxBytes: 10_000), text)
        let cut = InfoNode.truncated(text, maxBytes: 50)
        XCTAssertLessThanOrEqual(cut.utf8.count, 50)
        XCTAssertEqual(cut, "line 1\nline 2\nline 3\nline 4\n... (truncated)\n")
    }

    func testInfoSectionIsTheSkeletonsInAnyState() {
        let reply = makeIPCP(HollowOperations()).process(request(.ipcpInfo) { $0.comp = "info" })
        XCTAssertEqual(reply.result, 0)
        XCTAssertEqual(reply.comp, """
            /info
              _name: u1
              _type: udp4
              _state: boot
              _layer: (null)

            """)
    }

    func testFlowsFallBackToTheFlowTable() throws {
        let ipcp = makeIPCP(HollowOperations())
        try ipcp.flows.add(N1Flow(flowID: 7, pid: 1234, uid: 0, peer: 9))
        XCTAssertEqual(ipcp.process(request(.ipcpInfo) { $0.comp = "flows" }).comp, """
            /flows
              7
                pid: 1234
                peer: 9
                data path: not mapped

            """)
    }

    func testUnknownAndUnsupportedSections() {
        let ipcp = makeIPCP(HollowOperations())
        XCTAssertEqual(ipcp.process(request(.ipcpInfo) { $0.comp = "lsdb" }).result, OuroError.notSupported.result)
        XCTAssertEqual(ipcp.process(request(.ipcpInfo) { $0.comp = "bogus" }).result, OuroError.invalid.result)
    }
}
