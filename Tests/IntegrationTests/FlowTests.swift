import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Flows on one host: direct flows and flows through ipcpd-local, between real
/// processes (FlowProbe) in a private instance.
final class FlowTests: NodeTestCase {
    /// Starts an echo server bound to `name`.
    private func echoServer(_ name: String) throws -> Process {
        let server = try node.spawn("FlowProbe", ["echo-server"])
        XCTAssertTrue(node.waitForOutput(server, "ready"), node.output(of: server))
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name \(name)").status, 0)
        return server
    }

    private var ringObjects: [String] { node.shmObjects.filter { $0.contains(".rbuff.") } }

    func testDirectFlowsManyAtOnce() throws {
        _ = try echoServer("echo")
        let r = try node.run("FlowProbe", ["clients", "echo", "100", "20"])
        XCTAssertEqual(r.status, 0, r.output + node.irmdLog)
        XCTAssertTrue(node.irmdLog.contains("allocated (direct)"))
        XCTAssertTrue(eventually(5) { ringObjects.isEmpty }, "every ring is gone: \(ringObjects)")
        XCTAssertTrue(eventually(5) { node.irmdLog.components(separatedBy: "Completed deallocation").count - 1 == 100 })
    }

    /// Restarts irmd with direct IPC disabled and bootstraps a local layer with `name` registered.
    private func localLayerOnly(registering name: String) throws {
        node.stop()
        try node.startIRMd(directIPC: false)
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        XCTAssertEqual(try node.irm("reg name \(name) layer lo").status, 0)
    }

    func testFlowsThroughTheLocalIPCP() throws {
        try localLayerOnly(registering: "echo.lo")
        let server = try echoServer("echo.lo")
        let r = try node.run("FlowProbe", ["clients", "echo.lo", "20", "50"])
        XCTAssertEqual(r.status, 0, r.output + "server: " + node.output(of: server) + node.irmdLog)
        XCTAssertFalse(node.irmdLog.contains("allocated (direct)"))
        XCTAssertTrue(node.irmdLog.contains("Flow request arrived for echo.lo."))
        XCTAssertTrue(eventually(5) { ringObjects.isEmpty }, "every ring is gone: \(ringObjects)")
    }

    func testUnknownNameFailsFast() throws {
        let started = Deadline.now
        let r = try node.run("FlowProbe", ["alloc", "nobody.here"])
        XCTAssertEqual(r.output, "error \(OuroError.name.code)\n")
        XCTAssertLessThan(Deadline.now.nanoseconds - started.nanoseconds, 5_000_000_000, "no long wait")
    }

    func testAcceptTimesOut() throws {
        let r = try node.run("FlowProbe", ["accept", "100"])
        XCTAssertTrue(r.output.hasSuffix("error \(OuroError.timedOut.code)\n"), r.output)
    }

    func testKilledClientTakesTheFlowDown() throws {
        let server = try node.spawn("FlowProbe", ["read-until-error"])
        XCTAssertTrue(node.waitForOutput(server, "ready"))
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name reader").status, 0)
        let client = try node.spawn("FlowProbe", ["hold", "reader"])
        XCTAssertTrue(node.waitForOutput(client, "holding"), node.output(of: client) + node.irmdLog)
        XCTAssertTrue(node.waitForOutput(server, "accepted"))
        kill(client.processIdentifier, SIGKILL)
        XCTAssertTrue(node.waitForOutput(server, "error \(OuroError.flowDown.code)"), node.output(of: server))
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process \(client.processIdentifier) died.") })
    }

    func testKilledServerTakesTheFlowDownThroughTheIPCP() throws {
        try localLayerOnly(registering: "reader.lo")
        let server = try node.spawn("FlowProbe", ["read-until-error"])
        XCTAssertTrue(node.waitForOutput(server, "ready"))
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name reader.lo").status, 0)
        let client = try node.spawn("FlowProbe", ["read-until-error-client", "reader.lo"])
        XCTAssertTrue(node.waitForOutput(client, "allocated"), node.output(of: client) + node.irmdLog)
        kill(server.processIdentifier, SIGKILL)
        XCTAssertTrue(node.waitForOutput(client, "error \(OuroError.flowDown.code)"), node.output(of: client) + node.irmdLog)
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process \(server.processIdentifier) died.") })
    }

    func testFlowControlAndEventQueues() throws {
        _ = try echoServer("echo.cntl")
        let r = try node.run("FlowProbe", ["fccntl", "echo.cntl"])
        XCTAssertEqual(r.output, "ok\n", node.irmdLog)
    }
}

/// irmd gives a killed process's packet blocks back to the pool.
final class ReclaimTests: XCTestCase {
    func testBlocksOfAKilledProcessAreReclaimed() throws {
        let node = try TestInstance()
        defer { node.tearDown() }
        try node.startIRMd()
        let pool = try PacketPool.openGlobal(in: node.instance)
        let sizeClass = try pool.sizeClass(forPayload: 1000)
        let full = pool.freeCount(ofClass: sizeClass)
        let hog = try node.spawn("FlowProbe", ["hog", "100"])
        XCTAssertTrue(node.waitForOutput(hog, "holding blocks"), node.output(of: hog))
        XCTAssertEqual(pool.freeCount(ofClass: sizeClass), full - 100)
        kill(hog.processIdentifier, SIGKILL)
        XCTAssertTrue(eventually(5) { pool.freeCount(ofClass: sizeClass) == full }, "blocks back: \(pool.freeCount(ofClass: sizeClass)) of \(full)")
        XCTAssertTrue(pool.isFull)
        XCTAssertTrue(node.irmdLog.contains("Reclaimed 100 packet blocks of process \(hog.processIdentifier)."))
    }
}

/// Keepalives keep a silent flow up; a peer that stops answering is detected.
final class KeepaliveTests: XCTestCase {
    func testKeepalivesAndPeerTimeout() throws {
        let node = try TestInstance()
        defer { node.tearDown() }
        try node.startIRMd()
        let server = try node.spawn("FlowProbe", ["read-until-error"])
        XCTAssertTrue(node.waitForOutput(server, "ready"))
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name quiet").status, 0)
        let client = try node.spawn("FlowProbe", ["idle-client", "quiet", "400"])
        XCTAssertTrue(node.waitForOutput(client, "allocated"), node.output(of: client))
        XCTAssertTrue(node.waitForOutput(server, "accepted"))
        usleep(1_500_000)
        XCTAssertFalse(node.output(of: server).contains("error"), "keepalives keep the flow up")
        kill(client.processIdentifier, SIGSTOP)
        XCTAssertTrue(node.waitForOutput(server, "error \(OuroError.flowPeer.code)", seconds: 5), node.output(of: server))
        kill(client.processIdentifier, SIGKILL)
    }
}
