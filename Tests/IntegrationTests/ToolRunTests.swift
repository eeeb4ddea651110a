import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The tools against each other over real flows.
final class ToolRunTests: NodeTestCase {
    private func server(_ tool: String, _ name: String) throws {
        let p = try node.spawn(tool, ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(p.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(p.processIdentifier) name \(name)").status, 0)
    }

    func testOpingFlood() throws {
        try server("oping", "ping.srv")
        let r = try node.run("oping", ["-n", "ping.srv", "-c", "2000", "-f", "-Q"])
        XCTAssertTrue(r.output.contains("2000 packets transmitted, 2000 received"), r.output)
    }

    func testOperfBidirectionalFloodDoesNotDeadlock() throws {
        try server("operf", "perf.srv")
        let r = try node.run("operf", ["-n", "perf.srv", "-t", "bi", "-f", "-d", "1s", "-s", "1400"])
        XCTAssertTrue(r.output.contains(" 0% packet loss"), r.output)
    }

    func testOcbrCountsEverything() throws {
        let srv = try node.spawn("ocbr", ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(srv.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(srv.processIdentifier) name cbr.srv").status, 0)
        let r = try node.run("ocbr", ["-n", "cbr.srv", "-s", "1400", "-d", "1", "-f"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(node.waitForOutput(srv, " 0 lost"), node.output(of: srv))
    }

    func testOecho() throws {
        try server("oecho", "echo.srv")
        let r = try node.run("oecho", ["-n", "echo.srv"])
        XCTAssertEqual(r.status, 0, r.output)
    }
}
