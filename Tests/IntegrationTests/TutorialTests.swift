import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The reference's tutorial with our binaries: irmd, a local layer, an oping
/// server and client.
final class TutorialTests: XCTestCase {
    var node: TestInstance!

    override func setUpWithError() throws {
        node = try TestInstance()
    }

    override func tearDown() {
        node?.tearDown()
    }

    private func assertThreeReplies(_ r: CommandResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 0, r.output + node.irmdLog, file: file, line: line)
        XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output, file: file, line: line)
        XCTAssertTrue(r.output.contains(" 0% packet loss"), r.output, file: file, line: line)
    }

    private func bootstrapAndRegister() throws {
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        XCTAssertEqual(try node.irm("reg name my.oping.server layer lo").status, 0)
    }

    func testTutorialWithABoundServer() throws {
        try node.startIRMd()
        try bootstrapAndRegister()
        let server = try node.spawn("oping", ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name my.oping.server").status, 0)
        assertThreeReplies(try node.run("oping", ["-n", "my.oping.server", "-c", "3", "-i", "50"]))
    }

    func testTutorialWithAnAutoStartedServer() throws {
        try node.startIRMd()
        try bootstrapAndRegister()
        XCTAssertEqual(try node.irm("bind program \(buildDirectory)/oping name my.oping.server auto -- -l").status, 0)
        assertThreeReplies(try node.run("oping", ["-n", "my.oping.server", "-c", "3", "-i", "50"]))
        XCTAssertTrue(node.irmdLog.contains("oping for my.oping.server."), node.irmdLog)
        XCTAssertEqual(node.stop(), 0)
        XCTAssertEqual(node.shmObjects, [])
    }

    func testTutorialThroughTheLocalIPCP() throws {
        try node.startIRMd(directIPC: false)
        try bootstrapAndRegister()
        let server = try node.spawn("oping", ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name my.oping.server").status, 0)
        assertThreeReplies(try node.run("oping", ["-n", "my.oping.server", "-c", "3", "-i", "50"]))
        XCTAssertTrue(node.irmdLog.contains("Flow request arrived for my.oping.server."))
    }
}

/// An unprivileged client: its packets live in its own per-user pool and
/// cross into the global pool (one copy) at the local IPCP.
final class PerUserPoolTests: XCTestCase {
    func testUnprivilegedClientReachesARootServerThroughItsOwnPool() throws {
        guard geteuid() == 0, access("/usr/bin/setpriv", X_OK) == 0 else { throw XCTSkip("needs root and setpriv") }
        let node = try TestInstance()
        defer { node.tearDown() }
        chmod(node.runDirectory, 0o755)
        try node.startIRMd()
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        XCTAssertEqual(try node.irm("reg name pup.srv layer lo").status, 0)
        let server = try node.spawn("oping", ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name pup.srv").status, 0)
        let r = try node.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                  buildDirectory + "/oping", "-n", "pup.srv", "-c", "3", "-i", "20"])
        XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output + node.irmdLog)
        XCTAssertTrue(node.irmdLog.contains("Flow request arrived for pup.srv."), "uids differ: through the IPCP")
        XCTAssertTrue(eventually(3) { !node.shmObjects.contains { $0.contains(".pup.") } }, "the pool goes with its last process")
    }
}
