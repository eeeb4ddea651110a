import DevKit
import XCTest
@testable import IRMd

final class RegistryTests: XCTestCase {
    var reg: Registry!

    override func setUp() {
        reg = Registry(securityDirectory: "/sec")
    }

    private func announce(_ pid: Int32, _ prog: String = "app") throws {
        _ = try reg.addProcess(pid: pid, program: prog, uid: 0, gid: 0, usesUserPool: false)
    }

    // MARK: IPCPs

    func testIPCPLifecycleAndOrder() throws {
        try reg.addIPCP(pid: 30, type: .udp4, name: "u")
        try reg.addIPCP(pid: 20, type: .local, name: "l2")
        try reg.addIPCP(pid: 10, type: .local, name: "l1")
        XCTAssertThrowsError(try reg.addIPCP(pid: 10, type: .local, name: "dup"))
        XCTAssertEqual(reg.ipcpList().map(\.pid), [10, 20, 30], "by type, then pid")
        XCTAssertEqual(reg.ipcp(pid: 10)?.state, .initial)
        XCTAssertEqual(reg.ipcp(pid: 10)?.layer, notEnrolledLayer)
        XCTAssertFalse(reg.waitForBoot(pid: 10, deadline: .after(milliseconds: 10)))
        try reg.ipcpCreated(pid: 10, state: .boot)
        XCTAssertTrue(reg.waitForBoot(pid: 10, deadline: .after(milliseconds: 10)))
        XCTAssertThrowsError(try reg.ipcpCreated(pid: 99, state: .boot))
        try reg.setLayer(pid: 10, name: "lo", hash: .sha3_512)
        XCTAssertEqual(reg.ipcp(pid: 10)?.layer, "lo")
        XCTAssertEqual(reg.ipcp(pid: 10)?.hashAlgorithm, .sha3_512)
        XCTAssertEqual(reg.spawnedPids(), [10, 20, 30])
        let removal = reg.removeProcess(pid: 10)
        XCTAssertEqual(removal.ipcp?.name, "l1")
        XCTAssertNil(reg.ipcp(pid: 10))
        XCTAssertEqual(reg.spawnedPids(), [20, 30])
    }

    // MARK: names

    func testNamesDefaultsAndOrder() {
        XCTAssertTrue(reg.createName(NameEntry(name: "b", policy: .roundRobin)))
        XCTAssertTrue(reg.createName(NameEntry(name: "B", policy: .spillover)))
        XCTAssertFalse(reg.createName(NameEntry(name: "b", policy: .spillover)), "existing names stay")
        XCTAssertEqual(reg.name("b")?.policy, .roundRobin)
        XCTAssertEqual(reg.nameList().map(\.name), ["B", "b"], "strcmp order")
        XCTAssertEqual(reg.name("b")?.server.crt, "/sec/server/b/crt.pem")
        XCTAssertEqual(reg.name("b")?.client.enc, "/sec/client/b/enc.conf")
        XCTAssertEqual(reg.name(hash: HashAlgorithm.sha3_256.digest(name: "b"), algorithm: .sha3_256), "b")
        XCTAssertNil(reg.name(hash: HashAlgorithm.md5.digest(name: "zz"), algorithm: .md5))
    }

    // MARK: bindings

    func testProgramBindingAppliesToLaterProcesses() throws {
        try announce(1, "oping")
        try reg.bindProgram(argv: ["/usr/bin/oping", "-l"], name: "srv", autostart: true)
        XCTAssertEqual(reg.name("srv")?.policy, .spillover, "implicitly created names spill")
        XCTAssertEqual(reg.name("srv")?.autostart, [["/usr/bin/oping", "-l"]])
        XCTAssertEqual(reg.process(pid: 1)?.names, [], "running processes are not bound retroactively")
        try announce(2, "oping")
        XCTAssertEqual(reg.process(pid: 2)?.names, ["srv"])
        XCTAssertEqual(reg.name("srv")?.processes, [2])
        XCTAssertThrowsError(try reg.bindProgram(argv: ["/usr/bin/oping"], name: "srv", autostart: false))
        XCTAssertThrowsError(try reg.bindProgram(argv: ["/usr/bin/oping", "-x"], name: "srv", autostart: true),
                             "a second auto-start entry with the same path")
        try reg.unbindProgram("/usr/bin/oping", name: "srv")
        XCTAssertEqual(reg.name("srv")?.autostart, [])
        XCTAssertThrowsError(try reg.unbindProgram("oping", name: "srv"))
    }

    func testProcessBindingAndDestroyName() throws {
        try announce(5)
        try reg.bindProcess(pid: 5, name: "n")
        XCTAssertThrowsError(try reg.bindProcess(pid: 5, name: "n"))
        XCTAssertThrowsError(try reg.bindProcess(pid: 6, name: "n"), "unknown process")
        XCTAssertEqual(reg.name("n")?.processes, [5])
        try reg.destroyName("n")
        XCTAssertEqual(reg.process(pid: 5)?.names, [])
        try reg.bindProcess(pid: 5, name: "m")
        try reg.unbindProcess(pid: 5, name: "m")
        XCTAssertEqual(reg.name("m")?.processes, [])
        try reg.bindProcess(pid: 5, name: "a")
        try reg.bindProcess(pid: 5, name: "b")
        try reg.unbindProcess(pid: 5, name: nil)
        XCTAssertEqual(reg.process(pid: 5)?.names, [], "the no-name form unbinds every name, the process stays")
        XCTAssertEqual(reg.name("a")?.processes, [])
        XCTAssertEqual(reg.name("b")?.processes, [])
        XCTAssertThrowsError(try reg.unbindProcess(pid: 6, name: nil), "unknown process")
    }

    // MARK: flows and load balancing

    private func accept(_ pid: Int32) throws -> Int {
        let id = try reg.createFlow(nPid: pid, qos: .raw, uid: 0)
        try reg.prepareAccept(flowID: id)
        return id
    }

    func testFlowIDsAreLowestFree() throws {
        let a = try reg.createFlow(nPid: 1, qos: .raw, uid: 0)
        let b = try reg.createFlow(nPid: 1, qos: .raw, uid: 0)
        XCTAssertEqual([a, b], [1, 2])
        reg.destroyFlow(id: a)
        XCTAssertEqual(try reg.createFlow(nPid: 1, qos: .raw, uid: 0), 1)
    }

    func testRoundRobinRotatesAcceptors() throws {
        reg.createName(NameEntry(name: "rr", policy: .roundRobin))
        for pid: Int32 in [1, 2] {
            try announce(pid)
            try reg.bindProcess(pid: pid, name: "rr")
        }
        let f1 = try accept(1)
        let f2 = try accept(2)
        XCTAssertEqual(reg.acceptor(name: "rr")?.pid, 1)
        XCTAssertEqual(reg.acceptor(name: "rr")?.flowID, f1)
        _ = try reg.assignAccept(flowID: f1, n1Pid: 99, qos: .raw, mpl: 100, request: [], name: "rr", direct: false)
        reg.endAccept(pid: 1)
        _ = try accept(1)
        XCTAssertEqual(reg.acceptor(name: "rr")?.pid, 2, "the process that re-entered accept goes to the tail")
        XCTAssertEqual(reg.acceptor(name: "rr")?.flowID, f2)
    }

    func testSpilloverKeepsTheMostRecentAcceptor() throws {
        reg.createName(NameEntry(name: "sp", policy: .spillover))
        for pid: Int32 in [1, 2] {
            try announce(pid)
            try reg.bindProcess(pid: pid, name: "sp")
        }
        let f1 = try accept(1)
        _ = try accept(2)
        XCTAssertEqual(reg.acceptor(name: "sp")?.pid, 2, "spill gives flows to the latest acceptor")
        reg.endAccept(pid: 2)
        reg.destroyFlow(id: 2)
        XCTAssertEqual(reg.acceptor(name: "sp")?.flowID, f1, "and spills to the next while it is busy")
    }

    func testAcceptBeforeBindBecomesActiveOnBind() throws {
        try announce(3)
        let f = try accept(3)
        XCTAssertNil(reg.acceptor(name: "late"))
        try reg.bindProcess(pid: 3, name: "late")
        XCTAssertEqual(reg.acceptor(name: "late")?.flowID, f)
    }

    func testAllocationStates() throws {
        let id = try reg.createFlow(nPid: 1, qos: .raw, uid: 0)
        XCTAssertThrowsError(try reg.allocReply(flowID: id, response: 0, mpl: 1, data: []), "not pending yet")
        try reg.prepareAlloc(flowID: id, n1Pid: 50)
        XCTAssertThrowsError(try reg.allocReply(flowID: id, response: 0, mpl: 0, data: []), "a positive reply needs an MPL")
        try reg.allocReply(flowID: id, response: 0, mpl: 100, data: [1])
        XCTAssertEqual(reg.flow(id: id)?.state, .allocated)
        XCTAssertEqual(try reg.deallocate(flowID: id, pid: 1), .forwardToIPCP(50))
        XCTAssertEqual(reg.flow(id: id)?.state, .deallocPending)
        XCTAssertEqual(try reg.deallocate(flowID: id, pid: 1), .forwardToIPCP(50), "a second dealloc still forwards")
        XCTAssertEqual(try reg.ipcpDeallocated(flowID: id, ipcp: 50).id, id)
        XCTAssertEqual(reg.flow(id: id)?.state, .deallocated, "the id stays taken until the rings are gone")
        XCTAssertNotEqual(try reg.createFlow(nPid: 1, qos: .raw, uid: 0), id)
        reg.destroyFlow(id: id)
        XCTAssertNil(reg.flow(id: id))

        let refused = try reg.createFlow(nPid: 1, qos: .raw, uid: 0)
        try reg.prepareAlloc(flowID: refused, n1Pid: 50)
        try reg.allocReply(flowID: refused, response: -OuroError.auth.code, mpl: 0, data: [])
        XCTAssertEqual(reg.flow(id: refused)?.state, .deallocated)
        XCTAssertEqual(reg.flow(id: refused)?.response, -1009)
    }

    func testDirectFlowNeedsBothEndsToDeallocate() throws {
        try announce(1)
        try announce(2)
        try reg.bindProcess(pid: 2, name: "d")
        let id = try accept(2)
        _ = try reg.assignAccept(flowID: id, n1Pid: 1, qos: .raw, mpl: 1, request: [], name: "d", direct: true)
        XCTAssertEqual(try reg.deallocate(flowID: id, pid: 1), .directHalf)
        XCTAssertEqual(try reg.deallocate(flowID: id, pid: 1), .directHalf, "the same end twice is still half")
        guard case .directDone(let f) = try reg.deallocate(flowID: id, pid: 2) else { return XCTFail() }
        XCTAssertEqual(f.id, id)
        XCTAssertEqual(reg.flow(id: id)?.state, .deallocated)
        XCTAssertThrowsError(try reg.deallocate(flowID: id, pid: 2))
    }

    func testRemovingAProcessCancelsItsPendingFlows() throws {
        try announce(7)
        try reg.bindProcess(pid: 7, name: "x")
        let pending = try accept(7)
        let allocated = try reg.createFlow(nPid: 7, qos: .raw, uid: 0)
        try reg.prepareAlloc(flowID: allocated, n1Pid: 9)
        try reg.allocReply(flowID: allocated, response: 0, mpl: 10, data: [])
        let removal = reg.removeProcess(pid: 7)
        XCTAssertTrue(removal.wasProcess)
        XCTAssertEqual(removal.cancelledFlows.map(\.id), [pending])
        XCTAssertEqual(removal.orphanedFlows.map(\.id), [allocated])
        XCTAssertEqual(reg.flow(id: pending)?.state, .deallocated)
        XCTAssertEqual(reg.name("x")?.active, [])
        XCTAssertEqual(reg.name("x")?.processes, [])
    }

    func testWaitForAcceptorWakesOnAccept() throws {
        try announce(4)
        try reg.bindProcess(pid: 4, name: "w")
        let registry = reg!
        let expected = try registry.createFlow(nPid: 4, qos: .raw, uid: 0)
        startThread {
            usleep(20_000)
            try? registry.prepareAccept(flowID: expected)
        }
        let found = registry.waitForAcceptor(name: "w", deadline: .after(milliseconds: 5000))
        XCTAssertEqual(found?.flowID, expected)
        XCTAssertNil(registry.waitForAcceptor(name: "nobody", deadline: .after(milliseconds: 10)))
    }
}
