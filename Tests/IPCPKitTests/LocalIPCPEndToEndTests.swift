#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit
import Foundation
import Synchronization
import XCTest

/// Starts the real `ipcpd-local` in a private instance, the test playing irmd.
final class LocalIPCPEndToEndTests: XCTestCase {
    func testLocalIPCPServesIRMdAndStopsOnItsSignal() throws {
        let acceptorFlows = Mutex<UInt32>(21)
        let dataPath = Mutex<DataPathObjects?>(nil)
        let irmd = try FakeIRMd { request in
            var reply = FakeIRMd.ok()
            if request.code == .ipcpFlowReqArr {
                var info = request.flowInfo
                info.id = acceptorFlows.withLock { id in defer { id += 10 }; return id }
                info.nPid = 555
                dataPath.withLock { try? $0?.createRings(flowID: Int(info.id), pids: [555, Int32(bitPattern: info.n1Pid)]) }
                reply.flowInfo = info
            }
            return reply
        }
        defer { irmd.stop() }
        let (child, output) = try start(with: irmd)
        defer { child.killAndReap() }

        let created = try XCTUnwrap(irmd.waitFor(.ipcpCreateR), "IPCP_CREATE_R")
        // What irmd creates for the data path: the pool, the flow sets, the rings.
        let objects = try DataPathObjects(instance: irmd.instance, pids: [child.pid, 444, 555])
        dataPath.withLock { $0 = objects }
        defer { objects.destroy() }
        try objects.createRings(flowID: 20, pids: [444, child.pid])
        try objects.createRings(flowID: 30, pids: [444, child.pid])
        XCTAssertEqual(created.ipcpInfo.type, IPCPType.local.rawValue)
        XCTAssertEqual(created.ipcpInfo.name, "lo-ipcp")
        XCTAssertEqual(created.ipcpInfo.pid, UInt32(child.pid))
        XCTAssertEqual(created.ipcpInfo.state, IPCPState.boot.rawValue)
        let announce = try XCTUnwrap(irmd.requests(.irmProcAnnounce).first)
        XCTAssertEqual(announce.pid, child.pid)
        XCTAssertEqual(announce.prog, "ipcpd-local")

        let socket = irmd.instance.ipcpSocketPath(pid: child.pid)
        func send(_ message: ipcp_msg) throws -> ipcp_msg {
            let reply = try ControlChannel.transact(path: socket, request: message, replyType: ipcp_msg.self,
                                                    timeoutMicroseconds: 10_000_000, connectFailure: .ipcp, failure: .ipcp)
            XCTAssertEqual(reply.code, .ipcpReply)
            return reply
        }
        let server = HashAlgorithm.sha3_256.digest(name: "my.oping.server")
        let other = HashAlgorithm.sha3_256.digest(name: "nobody")

        XCTAssertEqual(try send(request(.ipcpQuery) { $0.hash = Data(server) }).result, OuroError.ipcpState.result)
        // Bytes that do not decode get no reply, and the daemon carries on.
        let garbage = try UnixSocket.connect(path: socket)
        try garbage.send([0x08, 0xff, 0xff])
        XCTAssertEqual(try garbage.receive(), [])
        garbage.close()
        XCTAssertEqual(try send(request(.ipcpEnroll) { $0.dst = "x" }).result, OuroError.notSupported.result)
        let boot = try send(request(.ipcpBootstrap) { $0.conf = configuration(.local, layer: "lo-layer", algorithm: .sha3_256) })
        XCTAssertEqual(boot.result, 0)
        XCTAssertEqual(boot.layerInfo.name, "lo-layer")
        XCTAssertEqual(boot.layerInfo.dirHashAlgo, HashAlgorithm.sha3_256.rawValue)
        XCTAssertEqual(try send(request(.ipcpBootstrap) { $0.conf = configuration(.local, layer: "lo-layer", algorithm: .sha3_256) }).result,
                       OuroError.ipcpState.result)

        XCTAssertEqual(try send(request(.ipcpReg) { $0.hash = Data(server) }).result, 0)
        XCTAssertEqual(try send(request(.ipcpReg) { $0.hash = Data(server.prefix(16)) }).result, OuroError.invalid.result)
        XCTAssertEqual(try send(request(.ipcpQuery) { $0.hash = Data(server) }).result, 0)
        XCTAssertEqual(try send(request(.ipcpQuery) { $0.hash = Data(other) }).result, -1)

        // A flow through the IPCP: the allocator's flow 20 is paired with the acceptor's flow 21.
        let alloc = try send(request(.ipcpFlowAlloc) {
            $0.flowID = 20; $0.pid = 444; $0.uid = 0; $0.hash = Data(server); $0.qosspec = QoSSpec.voice.message; $0.pk = Data([7, 7])
        })
        XCTAssertEqual(alloc.result, 0)
        let arrival = try XCTUnwrap(irmd.requests(.ipcpFlowReqArr).first)
        XCTAssertEqual([UInt8](arrival.hash), server)
        XCTAssertEqual([UInt8](arrival.pk), [7, 7])
        XCTAssertEqual(arrival.flowInfo.n1Pid, UInt32(child.pid))
        XCTAssertEqual(arrival.flowInfo.mpl, 100)
        XCTAssertEqual(QoSSpec(arrival.flowInfo.qos), .voice)

        XCTAssertEqual(try send(request(.ipcpFlowAllocResp) { $0.flowID = 21; $0.pid = 555; $0.response = 0; $0.pk = Data([1, 2, 3]) }).result, 0)
        let allocReply = try XCTUnwrap(irmd.requests(.ipcpFlowAllocReply).first)
        XCTAssertEqual(allocReply.flowInfo.id, 20)
        XCTAssertEqual(allocReply.flowInfo.mpl, 100)
        XCTAssertEqual(allocReply.response, 0)
        XCTAssertEqual([UInt8](allocReply.pk), [1, 2, 3])

        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 20; $0.timeoSec = 0 }).result, 0)
        let dealloc = try XCTUnwrap(irmd.requests(.ipcpFlowDealloc).first)
        XCTAssertEqual(dealloc.flowInfo.id, 20)
        XCTAssertEqual(dealloc.flowInfo.n1Pid, 444)
        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 20; $0.timeoSec = 0 }).result, -1)
        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 21; $0.timeoSec = 0 }).result, 0)
        XCTAssertEqual(irmd.requests(.ipcpFlowDealloc).last?.flowInfo.n1Pid, 555)

        // A refused allocation is passed on to the allocator's side and both flows go.
        XCTAssertEqual(try send(request(.ipcpFlowAlloc) {
            $0.flowID = 30; $0.pid = 444; $0.hash = Data(server); $0.qosspec = QoSSpec.raw.message
        }).result, 0)
        XCTAssertEqual(try send(request(.ipcpFlowAllocResp) { $0.flowID = 31; $0.pid = 555; $0.response = -13 }).result, 0)
        let refusal = try XCTUnwrap(irmd.requests(.ipcpFlowAllocReply).last)
        XCTAssertEqual(refusal.flowInfo.id, 30)
        XCTAssertEqual(refusal.response, -13)
        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 30; $0.timeoSec = 0 }).result, -1)
        XCTAssertEqual(try send(request(.ipcpFlowDealloc) { $0.flowID = 31; $0.timeoSec = 0 }).result, -1)

        XCTAssertEqual(try send(request(.ipcpUnreg) { $0.hash = Data(server) }).result, 0)
        XCTAssertEqual(try send(request(.ipcpQuery) { $0.hash = Data(server) }).result, -1)

        // SIGTERM from a process other than irmd is ignored.
        let killer = try Child.spawn(["/bin/kill", "-TERM", String(child.pid)], environment: [],
                                     output: irmd.directory + "/kill.log")
        XCTAssertNotNil(killer.wait(seconds: 10))
        usleep(200_000)
        XCTAssertNil(child.wait(seconds: 0.1), "still running")
        XCTAssertEqual(try send(request(.ipcpQuery) { $0.hash = Data(other) }).result, -1)

        // irmd's SIGTERM stops it cleanly.
        XCTAssertEqual(kill(child.pid, SIGTERM), 0)
        let status = try XCTUnwrap(child.wait(seconds: 20), "ipcpd-local exits")
        XCTAssertEqual(couro_wifexited(status), 1)
        XCTAssertEqual(couro_wexitstatus(status), 0)
        XCTAssertNotEqual(access(socket, F_OK), 0, "the socket is removed")
        XCTAssertEqual(irmd.waitFor(.irmProcExit)?.pid, child.pid)

        let log = try String(contentsOfFile: output, encoding: .utf8)
        for line in ["ipcpd/ipcp(II): IPCP local \(child.pid) initialized.", "ipcpd/ipcp(II): Finished bootstrapping in lo-layer.",
                     "ipcpd/ipcp(II):   hash: SHA3-256 [32 bytes]", "ipcpd-local(II): Flow allocation completed, flows (20, 21).",
                     "ipcpd/ipcp(DB): Ignored signal 15 from process", "ipcpd/ipcp(II): IPCP \(child.pid) out."] {
            XCTAssertTrue(log.contains(line), "log has \(line)")
        }
    }

    func testSignalFromIRMdInBootEndsTheDaemon() throws {
        let irmd = try FakeIRMd()
        defer { irmd.stop() }
        let (child, _) = try start(with: irmd)
        defer { child.killAndReap() }
        XCTAssertNotNil(irmd.waitFor(.ipcpCreateR), "IPCP_CREATE_R")
        XCTAssertEqual(kill(child.pid, SIGINT), 0)
        let status = try XCTUnwrap(child.wait(seconds: 20), "ipcpd-local exits")
        XCTAssertEqual(couro_wifexited(status), 1)
        XCTAssertEqual(couro_wexitstatus(status), 0)
        XCTAssertNotEqual(access(irmd.instance.ipcpSocketPath(pid: child.pid), F_OK), 0, "the socket is removed")
        XCTAssertNotNil(irmd.waitFor(.irmProcExit))
    }

    func start(with irmd: FakeIRMd) throws -> (Child, String) {
        try spawnIPCP("ipcpd-local", name: "lo-ipcp", with: irmd)
    }
}
