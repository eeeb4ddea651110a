#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation
import Synchronization
import XCTest
@testable import IPCPKit

/// An IPCP type that records its calls and implements every operation it supports.
final class FakeOperations: IPCPOperations {
    let supportedOperations: Set<IPCPOperation>
    let failure: OuroError?
    private let log = Mutex<[String]>([])

    init(_ supported: Set<IPCPOperation> = Set(IPCPOperation.allCases), failing failure: OuroError? = nil) {
        supportedOperations = supported
        self.failure = failure
    }

    var calls: [String] { log.withLock { $0 } }

    private func record(_ call: String) throws(OuroError) {
        log.withLock { $0.append(call) }
        if let failure { throw failure }
    }

    func bootstrap(_ conf: ipcp_config_msg) throws(OuroError) -> ipcp_config_msg {
        try record("bootstrap \(conf.layerInfo.name) \(conf.layerInfo.dirHashAlgo)")
        return conf
    }

    func enroll(_ dst: String) throws(OuroError) -> layer_info_msg {
        try record("enroll \(dst)")
        return LayerInfo(name: "enrolled", hashAlgorithm: .sha3_384).message
    }

    func connect(_ dst: String, component: String, qos: QoSSpec) throws(OuroError) { try record("connect \(dst) \(component)") }
    func disconnect(_ dst: String, component: String) throws(OuroError) { try record("disconnect \(dst) \(component)") }
    func reg(_ hash: [UInt8]) throws(OuroError) { try record("reg \(hash.count)") }
    func unreg(_ hash: [UInt8]) throws(OuroError) { try record("unreg \(hash.count)") }
    func query(_ hash: [UInt8]) throws(OuroError) { try record("query \(hash.count)") }

    func flowAlloc(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8], qos: QoSSpec, pk: [UInt8]) throws(OuroError) {
        try record("flowAlloc \(flowID) \(pid) \(uid) \(pk)")
    }

    func flowJoin(flowID: Int32, pid: Int32, uid: UInt32, hash: [UInt8]) throws(OuroError) {
        try record("flowJoin \(flowID) \(pid) \(uid)")
    }

    func flowAllocResp(flowID: Int32, pid: Int32, uid: UInt32, response: Int32, pk: [UInt8]) throws(OuroError) {
        try record("flowAllocResp \(flowID) \(pid) \(uid) \(response)")
    }

    func flowDealloc(flowID: Int32) throws(OuroError) { try record("flowDealloc \(flowID)") }
}

/// Supports everything, implements nothing: the protocol's defaults answer.
final class HollowOperations: IPCPOperations {
    let supportedOperations = Set(IPCPOperation.allCases)
}

final class RequestProcessingTests: XCTestCase {
    let hash32 = HashAlgorithm.sha3_256.digest(name: "a name")

    func makeIPCP(_ type: IPCPType = .local, _ ops: (any IPCPOperations)?, state: IPCPState = .boot) -> IPCP {
        let ipcp = IPCP(type: type, name: "test", irmdPID: 1, instance: Instance(environment: "/nonexistent"),
                        dataPath: ControlPlaneOnly())
        if let ops { ipcp.install(ops) }
        ipcp.setState(state)
        return ipcp
    }

    /// Every request code with the fields it needs.
    var everyRequest: [ipcp_msg] {
        [
            request(.ipcpBootstrap) { $0.conf = configuration(.local, layer: "l", algorithm: .sha3_256) },
            request(.ipcpEnroll) { $0.dst = "peer" },
            request(.ipcpConnect) { $0.dst = "peer"; $0.comp = "Management"; $0.qosspec = QoSSpec.raw.message },
            request(.ipcpDisconnect) { $0.dst = "peer"; $0.comp = "Management" },
            request(.ipcpReg) { $0.hash = Data(hash32) },
            request(.ipcpUnreg) { $0.hash = Data(hash32) },
            request(.ipcpQuery) { $0.hash = Data(hash32) },
            request(.ipcpFlowAlloc) { $0.flowID = 3; $0.pid = 10; $0.hash = Data(hash32); $0.qosspec = QoSSpec.raw.message },
            request(.ipcpFlowJoin) { $0.flowID = 4; $0.pid = 10; $0.hash = Data(hash32) },
            request(.ipcpFlowAllocResp) { $0.flowID = 5; $0.response = -1 },
            request(.ipcpFlowDealloc) { $0.flowID = 6; $0.timeoSec = 0 },
        ]
    }

    func testMissingOperationIsCheckedBeforeState() {
        for ipcp in [makeIPCP(.local, FakeOperations([]), state: .null), makeIPCP(.local, nil, state: .shutdown)] {
            for req in everyRequest {
                let reply = ipcp.process(req)
                XCTAssertEqual(reply.code, .ipcpReply)
                XCTAssertEqual(reply.result, OuroError.notSupported.result, "\(req.code)")
                XCTAssertFalse(reply.hasLayerInfo)
            }
        }
    }

    func testDefaultImplementationsAnswerNotSupported() {
        let ipcp = makeIPCP(.local, HollowOperations())
        XCTAssertEqual(ipcp.process(everyRequest[0]).result, OuroError.notSupported.result)
        XCTAssertEqual(ipcp.process(everyRequest[4]).result, OuroError.notSupported.result)
        XCTAssertEqual(ipcp.state, .boot)
    }

    func testStateRequirements() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops, state: .boot)
        // QUERY and the flow requests need OPERATIONAL; REG, UNREG, CONNECT and DISCONNECT check no state.
        let results = everyRequest.dropFirst(2).map { ipcp.process($0).result }
        XCTAssertEqual(results, [0, 0, 0, 0, -1004, -1004, -1004, -1004, -1004])
        XCTAssertEqual(ops.calls, ["connect peer Management", "disconnect peer Management", "reg 32", "unreg 32"])

        for state in [IPCPState.initial, .operational, .shutdown] {
            ipcp.setState(state)
            XCTAssertEqual(ipcp.process(everyRequest[0]).result, OuroError.ipcpState.result, "bootstrap in \(state)")
            XCTAssertEqual(ipcp.process(everyRequest[1]).result, OuroError.ipcpState.result, "enroll in \(state)")
        }
    }

    func testBootstrapRepliesLayerAndBecomesOperational() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops)
        let reply = ipcp.process(request(.ipcpBootstrap) { $0.conf = configuration(.local, layer: "lo", algorithm: .sha3_512) })
        XCTAssertEqual(reply.result, 0)
        XCTAssertTrue(reply.hasLayerInfo)
        XCTAssertEqual(reply.layerInfo.name, "lo")
        XCTAssertEqual(reply.layerInfo.dirHashAlgo, HashAlgorithm.sha3_512.rawValue)
        XCTAssertEqual(ipcp.state, .operational)
        XCTAssertEqual(ipcp.layer, LayerInfo(name: "lo", hashAlgorithm: .sha3_512))
        XCTAssertEqual(ops.calls, ["bootstrap lo 3"])
        XCTAssertEqual(ipcp.process(request(.ipcpBootstrap) { $0.conf = configuration(.local, layer: "lo", algorithm: .sha3_512) }).result,
                       OuroError.ipcpState.result)
    }

    func testFailedBootstrapKeepsBootAndSendsNoLayer() {
        let ipcp = makeIPCP(.local, FakeOperations(failing: .noMemory))
        let reply = ipcp.process(everyRequest[0])
        XCTAssertEqual(reply.result, OuroError.noMemory.result)
        XCTAssertFalse(reply.hasLayerInfo)
        XCTAssertEqual(ipcp.state, .boot)
        XCTAssertNil(ipcp.layer)
    }

    func testBootstrapForcesHashAlgorithm() {
        let cases: [(IPCPType, HashAlgorithm, HashAlgorithm)] = [
            (.udp4, .sha3_256, .md5), (.udp6, .sha3_512, .md5), (.broadcast, .sha3_512, .sha3_256),
            (.local, .sha3_224, .sha3_224), (.ethDIX, .sha3_384, .sha3_384), (.unicast, .sha3_512, .sha3_512),
        ]
        for (type, configured, expected) in cases {
            let ops = FakeOperations()
            let ipcp = makeIPCP(type, ops)
            let reply = ipcp.process(request(.ipcpBootstrap) { $0.conf = configuration(type, layer: "l", algorithm: configured) })
            XCTAssertEqual(reply.result, 0, "\(type)")
            XCTAssertEqual(reply.layerInfo.dirHashAlgo, expected.rawValue, "\(type)")
            XCTAssertEqual(ops.calls, ["bootstrap l \(expected.rawValue)"], "the operation sees the forced value for \(type)")
            XCTAssertEqual(ipcp.hashLength, expected.digestLength)
        }
    }

    func testBootstrapRejectsMissingOrForeignConfiguration() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops)
        XCTAssertEqual(ipcp.process(request(.ipcpBootstrap)).result, OuroError.invalid.result)
        XCTAssertEqual(ipcp.process(request(.ipcpBootstrap) { $0.conf = configuration(.udp4, layer: "l", algorithm: .md5) }).result,
                       OuroError.invalid.result)
        var unknownHash = configuration(.local, layer: "l", algorithm: .md5)
        unknownHash.layerInfo.dirHashAlgo = 9
        XCTAssertEqual(ipcp.process(request(.ipcpBootstrap) { $0.conf = unknownHash }).result, OuroError.invalid.result)
        XCTAssertEqual(ops.calls, [])
        XCTAssertEqual(ipcp.state, .boot)
    }

    func testEnrollTakesTheLayerFromTheOperation() {
        let ipcp = makeIPCP(.unicast, FakeOperations())
        let reply = ipcp.process(request(.ipcpEnroll) { $0.dst = "peer" })
        XCTAssertEqual(reply.result, 0)
        XCTAssertEqual(reply.layerInfo.name, "enrolled")
        XCTAssertEqual(reply.layerInfo.dirHashAlgo, HashAlgorithm.sha3_384.rawValue)
        XCTAssertEqual(ipcp.state, .operational)
    }

    func testRegChecksHashLength() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops)
        XCTAssertEqual(ipcp.process(everyRequest[0]).result, 0)
        XCTAssertEqual(ipcp.process(request(.ipcpReg) { $0.hash = Data(hash32) }).result, 0)
        XCTAssertEqual(ipcp.process(request(.ipcpReg) { $0.hash = Data(hash32.prefix(16)) }).result, OuroError.invalid.result)
        XCTAssertEqual(ipcp.process(request(.ipcpReg)).result, OuroError.invalid.result)
        XCTAssertEqual(ipcp.process(request(.ipcpQuery) { $0.hash = Data(hash32 + [0]) }).result, OuroError.invalid.result)
        XCTAssertEqual(ops.calls, ["bootstrap l 1", "reg 32"])
    }

    func testQueryResultIsTheOperations() {
        let ipcp = makeIPCP(.local, FakeOperations(failing: .failure), state: .operational)
        XCTAssertEqual(ipcp.process(request(.ipcpQuery) { $0.hash = Data(hash32) }).result, -1)
    }

    func testUndecodableRequestGetsNoReply() throws {
        let ipcp = makeIPCP(.local, FakeOperations())
        XCTAssertNil(ipcp.handle(request: [0xff, 0xff, 0xff]))
        XCTAssertNil(ipcp.handle(request: []))
        var noCode = ipcp_msg()
        noCode.hash = Data(hash32)
        XCTAssertNil(ipcp.handle(request: try noCode.serializedBytes(partial: true)), "the required code is missing")
        let bytes = try XCTUnwrap(ipcp.handle(request: try request(.ipcpReg) { $0.hash = Data(hash32) }.serializedBytes()))
        let reply = try ipcp_msg(serializedBytes: bytes)
        XCTAssertEqual(reply.code, .ipcpReply)
        XCTAssertTrue(reply.hasResult)
        XCTAssertEqual(reply.result, 0)
    }

    func testReplyCodeAsRequestFails() {
        XCTAssertEqual(makeIPCP(.local, FakeOperations()).process(request(.ipcpReply)).result, -1)
    }

    func testFlowRequestsMaintainTheFlowTable() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops)
        XCTAssertEqual(ipcp.process(everyRequest[0]).result, 0)
        let alloc = request(.ipcpFlowAlloc) {
            $0.flowID = 7; $0.pid = 70; $0.uid = 1000; $0.hash = Data(hash32); $0.qosspec = QoSSpec.raw.message; $0.pk = Data([1, 2])
        }
        XCTAssertEqual(ipcp.process(alloc).result, 0)
        XCTAssertEqual(ipcp.flows.flow(7), N1Flow(flowID: 7, pid: 70, uid: 1000))
        XCTAssertEqual(ipcp.process(alloc).result, OuroError.flowDown.result, "the flow id is taken")
        XCTAssertEqual(ipcp.process(request(.ipcpFlowJoin) { $0.flowID = 7; $0.pid = 70; $0.hash = Data(hash32) }).result, -1)

        XCTAssertEqual(ipcp.process(request(.ipcpFlowAllocResp) { $0.flowID = 9; $0.response = -1 }).result, -1, "unknown flow")
        XCTAssertEqual(ipcp.process(request(.ipcpFlowAllocResp) { $0.flowID = 7; $0.response = 0; $0.uid = 5 }).result, 0)
        XCTAssertEqual(ipcp.flows.flow(7)?.uid, 5)
        XCTAssertEqual(ipcp.process(request(.ipcpFlowDealloc) { $0.flowID = 9 }).result, -1, "unknown flow")
        XCTAssertEqual(ipcp.process(request(.ipcpFlowDealloc) { $0.flowID = 7 }).result, 0)
        XCTAssertEqual(ops.calls.dropFirst(), ["flowAlloc 7 70 1000 [1, 2]", "flowAllocResp 7 70 5 0", "flowDealloc 7"])
    }

    func testFailedFlowAllocLeavesNoFlow() {
        let ipcp = makeIPCP(.local, FakeOperations(failing: .name), state: .operational)
        let reply = ipcp.process(request(.ipcpFlowAlloc) { $0.flowID = 8; $0.pid = 1; $0.hash = Data(hash32); $0.qosspec = QoSSpec.raw.message })
        XCTAssertEqual(reply.result, OuroError.name.result)
        XCTAssertNil(ipcp.flows.flow(8))
    }

    func testAcceptedResponseWaitsForTheFlowToArrive() {
        let ops = FakeOperations()
        let ipcp = makeIPCP(.local, ops, state: .operational)
        let flows = ipcp.flows
        startThread {
            usleep(100_000)
            try? flows.add(N1Flow(flowID: 12, pid: 120, uid: 0))
        }
        XCTAssertEqual(ipcp.process(request(.ipcpFlowAllocResp) { $0.flowID = 12; $0.response = 0 }).result, 0)
        XCTAssertEqual(ops.calls, ["flowAllocResp 12 120 0 0"])
    }

    func testDeallocSleepsTheLingerTime() {
        let ipcp = makeIPCP(.local, FakeOperations(), state: .operational)
        try? ipcp.flows.add(N1Flow(flowID: 2, pid: 20, uid: 0))
        let start = Deadline.now
        XCTAssertEqual(ipcp.process(request(.ipcpFlowDealloc) { $0.flowID = 2; $0.timeoSec = 1 }).result, 0)
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 1_000_000_000)
    }
}
