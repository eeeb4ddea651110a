#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit
import Foundation
import XCTest

/// Starts the real `ipcpd-broadcast` in a private instance, the test playing
/// irmd: the operations it has, the layer-name check of FLOW_JOIN (ipcps.md
/// §7.2) and the upcalls of a join and its deallocation.
final class BroadcastIPCPEndToEndTests: XCTestCase {
    func testJoinChecksTheLayerNameAndAnswersAtOnce() throws {
        let irmd = try FakeIRMd()
        defer { irmd.stop() }
        let (child, output) = try spawnIPCP("ipcpd-broadcast", name: "bc-ipcp", with: irmd)
        defer { child.killAndReap() }
        let created = try XCTUnwrap(irmd.waitFor(.ipcpCreateR), "IPCP_CREATE_R")
        XCTAssertEqual(created.ipcpInfo.type, IPCPType.broadcast.rawValue)
        let objects = try DataPathObjects(instance: irmd.instance, pids: [child.pid, 444])
        defer { objects.destroy() }
        for flowID in [20, 21, 22] { try objects.createRings(flowID: flowID, pids: [444, child.pid]) }

        let socket = irmd.instance.ipcpSocketPath(pid: child.pid)
        func send(_ message: ipcp_msg) throws -> ipcp_msg {
            try ControlChannel.transact(path: socket, request: message, replyType: ipcp_msg.self,
                                        timeoutMicroseconds: 10_000_000, connectFailure: .ipcp, failure: .ipcp)
        }
        func join(_ flowID: Int32, _ hash: [UInt8]) throws -> Int32 {
            try send(request(.ipcpFlowJoin) { $0.flowID = flowID; $0.pid = 444; $0.uid = 0; $0.hash = Data(hash) }).result
        }
        let expected = HashAlgorithm.sha3_256.digest(name: "bc")
        XCTAssertEqual(try join(20, expected), OuroError.ipcpState.result)

        let boot = try send(request(.ipcpBootstrap) { $0.conf = configuration(.broadcast, layer: "bc", algorithm: .sha3_512) })
        XCTAssertEqual(boot.result, 0)
        XCTAssertEqual(boot.layerInfo.name, "bc")
        XCTAssertEqual(boot.layerInfo.dirHashAlgo, HashAlgorithm.sha3_256.rawValue, "forced to SHA3-256")

        for unsupported in [ipcp_msg_code.ipcpReg, .ipcpQuery, .ipcpFlowAlloc] {
            XCTAssertEqual(try send(request(unsupported) { $0.hash = Data(expected) }).result, OuroError.notSupported.result)
        }
        XCTAssertEqual(try send(request(.ipcpConnect) { $0.dst = "x"; $0.comp = "Management"; $0.qosspec = QoSSpec.raw.message }).result,
                       OuroError.invalid.result, "no Management component")

        // Digests that compare lower and higher than the layer's are both refused.
        var lower = expected
        lower[0] = 0
        var higher = expected
        higher[0] = 0xFF
        XCTAssertEqual(try join(20, lower), OuroError.name.result)
        XCTAssertEqual(try join(21, higher), OuroError.name.result)
        XCTAssertTrue(irmd.requests(.ipcpFlowAllocReply).isEmpty)

        XCTAssertEqual(try join(22, expected), 0)
        let reply = try XCTUnwrap(irmd.requests(.ipcpFlowAllocReply).first, "answered before the join returns")
        XCTAssertEqual(reply.flowInfo.id, 22)
        XCTAssertEqual(reply.response, 0)
        XCTAssertEqual(reply.flowInfo.mpl, 100)
        XCTAssertTrue(reply.pk.isEmpty)

        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 22; $0.timeoSec = 0 }).result, 0)
        XCTAssertEqual(irmd.waitFor(.ipcpFlowDealloc)?.flowInfo.id, 22)
        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 20; $0.timeoSec = 0 }).result, -1, "refused joins left no flow")

        XCTAssertEqual(kill(child.pid, SIGTERM), 0)
        let status = try XCTUnwrap(child.wait(seconds: 20), "ipcpd-broadcast exits")
        XCTAssertEqual(couro_wifexited(status), 1)
        XCTAssertEqual(couro_wexitstatus(status), 0)
        let log = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(log.contains("Hash mismatch for layer bc."), log)
    }
}
