#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation
import Synchronization
import XCTest
@testable import IPCPKit

/// The upcalls and the one-at-a-time serialisation of incoming allocations, against a fake irmd.
final class AllocationTests: XCTestCase {
    /// A fake irmd that hands out flow ids 100, 101, ... with acceptor pid 4242.
    func makeIRMd() throws -> FakeIRMd {
        let next = Mutex<UInt32>(100)
        return try FakeIRMd { request in
            var reply = FakeIRMd.ok()
            if request.code == .ipcpFlowReqArr {
                var info = request.flowInfo
                info.id = next.withLock { id in defer { id += 1 }; return id }
                info.nPid = 4242
                reply.flowInfo = info
            }
            return reply
        }
    }

    func testFlowRequestArrivalsAreSerialised() throws {
        let irmd = try makeIRMd()
        defer { irmd.stop() }
        let ipcp = IPCP(type: .local, name: "t", irmdPID: 1, instance: irmd.instance,
                        dataPath: ControlPlaneOnly())
        ipcp.setState(.operational)
        let hash = HashAlgorithm.sha3_256.digest(name: "server")

        let first = try ipcp.waitFlowReqArr(hash: hash, qos: .voice, mpl: 100, pk: [9]) { ipcp.flows.setPeer(7, of: $0) }
        XCTAssertEqual(first, 100)
        XCTAssertEqual(ipcp.flows.flow(100), N1Flow(flowID: 100, pid: 4242, uid: 0, peer: 7))

        let arrival = try XCTUnwrap(irmd.requests(.ipcpFlowReqArr).first)
        XCTAssertEqual([UInt8](arrival.hash), hash)
        XCTAssertEqual([UInt8](arrival.pk), [9])
        XCTAssertEqual(arrival.flowInfo.n1Pid, UInt32(getpid()))
        XCTAssertEqual(arrival.flowInfo.mpl, 100)
        XCTAssertEqual(QoSSpec(arrival.flowInfo.qos), .voice)

        let second = Mutex<Int32?>(nil)
        let done = ConditionSignal()
        startThread {
            let id = try? ipcp.waitFlowReqArr(hash: hash, qos: .raw, mpl: 100, pk: [])
            second.withLock { $0 = id }
            done.broadcast()
        }
        usleep(200_000)
        XCTAssertEqual(irmd.requests(.ipcpFlowReqArr).count, 1, "the second arrival waits for the first response")
        try ipcp.waitFlowResp(first)
        XCTAssertTrue(done.wait(until: .after(milliseconds: 5000)) { second.withLock { $0 != nil } })
        XCTAssertEqual(second.withLock { $0 }, 101)
        try ipcp.waitFlowResp(101)
    }

    func testLeavingOperationalReleasesWaiters() throws {
        let irmd = try makeIRMd()
        defer { irmd.stop() }
        let ipcp = IPCP(type: .local, name: "t", irmdPID: 1, instance: irmd.instance,
                        dataPath: ControlPlaneOnly())
        ipcp.setState(.operational)
        _ = try ipcp.waitFlowReqArr(hash: [1], qos: .raw, mpl: 100, pk: [])
        let outcome = Mutex<OuroError?>(nil)
        let done = ConditionSignal()
        startThread {
            do throws(OuroError) { _ = try ipcp.waitFlowReqArr(hash: [2], qos: .raw, mpl: 100, pk: []) } catch { outcome.withLock { $0 = error } }
            done.broadcast()
        }
        usleep(100_000)
        ipcp.setState(.shutdown)
        XCTAssertTrue(done.wait(until: .after(milliseconds: 5000)) { outcome.withLock { $0 != nil } })
        XCTAssertEqual(outcome.withLock { $0 }, .ipcpState)
        XCTAssertThrowsError(try ipcp.waitFlowResp(100))
    }

    func testRefusedArrivalFreesTheSlot() throws {
        let irmd = try FakeIRMd { _ in FakeIRMd.ok(OuroError.name.result) }
        defer { irmd.stop() }
        let ipcp = IPCP(type: .local, name: "t", irmdPID: 1, instance: irmd.instance,
                        dataPath: ControlPlaneOnly())
        ipcp.setState(.operational)
        XCTAssertThrowsError(try ipcp.waitFlowReqArr(hash: [1], qos: .raw, mpl: 100, pk: [])) { XCTAssertEqual($0 as? OuroError, .name) }
        XCTAssertThrowsError(try ipcp.waitFlowReqArr(hash: [1], qos: .raw, mpl: 100, pk: [])) { XCTAssertEqual($0 as? OuroError, .name) }
        XCTAssertEqual(ipcp.flows.count, 0)
    }

    func testAllocReplyAndReleaseUpcalls() throws {
        let irmd = try makeIRMd()
        defer { irmd.stop() }
        let ipcp = IPCP(type: .local, name: "t", irmdPID: 1, instance: irmd.instance,
                        dataPath: ControlPlaneOnly())
        try ipcp.flowAllocReply(flowID: 33, response: -13, mpl: 100, pk: [4, 5])
        let reply = try XCTUnwrap(irmd.requests(.ipcpFlowAllocReply).first)
        XCTAssertEqual(reply.flowInfo.id, 33)
        XCTAssertEqual(reply.flowInfo.mpl, 100)
        XCTAssertTrue(reply.flowInfo.isInitialized, "every required field is sent")
        XCTAssertEqual(reply.response, -13)
        XCTAssertEqual([UInt8](reply.pk), [4, 5])

        try ipcp.flows.add(N1Flow(flowID: 34, pid: 3400, uid: 0))
        try ipcp.releaseFlow(34)
        XCTAssertThrowsError(try ipcp.releaseFlow(34)) { XCTAssertEqual($0 as? OuroError, .notAllocated) }
        let dealloc = try XCTUnwrap(irmd.requests(.ipcpFlowDealloc).first)
        XCTAssertEqual(dealloc.flowInfo.id, 34)
        XCTAssertEqual(dealloc.flowInfo.n1Pid, 3400)
        XCTAssertTrue(dealloc.flowInfo.isInitialized)
        XCTAssertNil(ipcp.flows.flow(34))
    }
}
