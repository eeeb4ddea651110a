import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The `irm` tool against a real irmd and real IPCP daemons in a private instance.
final class IRMToolTests: NodeTestCase {
    func testNamesCreateListDestroy() throws {
        XCTAssertEqual(try node.irm("name create srv.a").status, 0)
        XCTAssertEqual(try node.irm("n c srv.b lb spillover").status, 0)
        let list = try node.irm("name list")
        XCTAssertEqual(list.status, 0)
        XCTAssertTrue(list.output.contains("|                                              srv.a |          round-robin |"), list.output)
        XCTAssertTrue(list.output.contains("|                                              srv.b |            spillover |"), list.output)
        XCTAssertEqual(try node.irm("name destroy srv.a").status, 0)
        XCTAssertFalse(try node.irm("name list").output.contains("srv.a"))
        XCTAssertEqual(try node.irm("name destroy srv.b").status, 0)
        XCTAssertEqual(try node.irm("name list").output, "No names in system.\n\n")
    }

    func testBindAndUnbind() throws {
        XCTAssertEqual(try node.irm("bind program /bin/sleep name nap auto -- 100").status, 0)
        XCTAssertTrue(node.irmdLog.contains("sleep to name nap."), node.irmdLog)
        XCTAssertEqual(try node.irm("unbind program sleep name nap").status, 0)
        XCTAssertEqual(try node.irm("unbind program sleep name nap").status, 1, "already unbound")
        // bind process needs an announced process: the IPCP is one.
        XCTAssertEqual(try node.irm("ipcp create type local name lo").status, 0)
        let pid = try XCTUnwrap(ipcpPids().first)
        XCTAssertEqual(try node.irm("bind process \(pid) name lo.alias").status, 0)
        XCTAssertTrue(node.irmdLog.contains("Bound process \(pid) to name lo.alias."))
        XCTAssertEqual(try node.irm("unbind process \(pid) name lo.alias").status, 0)
        XCTAssertEqual(try node.irm("b ipcp lo name lo.other").status, 0)
        XCTAssertEqual(try node.irm("unbind ipcp lo name lo.other").status, 0)
        XCTAssertEqual(try node.irm("bind process 999999 name x").status, 1, "a dead pid")
    }

    /// Without `name`, `unbind program` unbinds every name, and `unbind ipcp`
    /// every name of the IPCP, which stays listed.
    func testUnbindWithoutName() throws {
        XCTAssertEqual(try node.irm("bind program /bin/sleep name nap auto -- 100").status, 0)
        XCTAssertEqual(try node.irm("bind program /bin/sleep name doze").status, 0)
        XCTAssertEqual(try node.irm("unbind program /bin/sleep").status, 0)
        XCTAssertTrue(node.irmdLog.contains("Program /bin/sleep unbound."), node.irmdLog)
        XCTAssertEqual(try node.irm("unbind program sleep name doze").status, 1, "already unbound")
        XCTAssertEqual(try node.irm("unbind program sleep").status, 1, "no such program any more")
        XCTAssertEqual(try node.irm("ipcp create type local name lo").status, 0)
        let pid = try XCTUnwrap(ipcpPids().first)
        XCTAssertEqual(try node.irm("b ipcp lo name lo.other").status, 0)
        XCTAssertEqual(try node.irm("b ipcp lo name lo.third").status, 0)
        XCTAssertEqual(try node.irm("unbind ipcp lo").status, 0)
        XCTAssertTrue(node.irmdLog.contains("Process \(pid) unbound."), node.irmdLog)
        XCTAssertEqual(try ipcpPids(), [pid], "the IPCP stays")
        XCTAssertEqual(try node.irm("unbind ipcp lo name lo.other").status, 1, "already unbound")
        XCTAssertEqual(try node.irm("unbind ipcp lo name lo.third").status, 1, "already unbound")
    }

    /// The pids `irm ipcp list` shows.
    private func ipcpPids() throws -> [Int32] {
        try node.irm("ipcp list").output.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.first.flatMap { Int32($0) }
        }
    }

    func testCreateBootstrapListAndCrashSupervision() throws {
        XCTAssertEqual(try node.irm("ipcp list").output, "No IPCPs in system.\n\n")
        XCTAssertEqual(try node.irm("ipcp create type local name x").status, 0)
        XCTAssertEqual(try node.irm("i b n lo type local layer lo").status, 0, node.irmdLog)
        let list = try node.irm("ipcp list").output
        XCTAssertTrue(list.contains("|                    x |      local |        Not enrolled. |"), list)
        XCTAssertTrue(list.contains("|                   lo |      local |                   lo |"), list)
        XCTAssertTrue(node.irmdLog.contains("Bootstrapped IPCP"))
        XCTAssertEqual(try node.irm("reg name my.name layer lo").status, 0)
        XCTAssertTrue(node.irmdLog.contains("Registered my.name with IPCP"))

        let pids = try ipcpPids()
        XCTAssertEqual(pids.count, 2)
        let victim = pids[0]
        XCTAssertEqual(kill(victim, SIGKILL), 0)
        XCTAssertTrue(try eventually(2.5) { try !ipcpPids().contains(victim) }, "a killed IPCP leaves the list")
        XCTAssertTrue(node.irmdLog.contains("Process \(victim) died."))
        let irmdPid = try XCTUnwrap(node.irmd?.processIdentifier)
        XCTAssertFalse(childPids(of: irmdPid).contains(victim), "no zombie left")
        XCTAssertFalse(FileManager.default.fileExists(atPath: node.instance.ipcpSocketPath(pid: victim)))
        XCTAssertEqual(try node.irm("ipcp destroy name lo").status, 0)
        XCTAssertTrue(try eventually(2) { try ipcpPids().isEmpty })
    }

    func testShutdownStopsIPCPsAndLeavesNothing() throws {
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        XCTAssertEqual(try node.irm("ipcp create type local name lo2").status, 0)
        let irmdPid = try XCTUnwrap(node.irmd?.processIdentifier)
        let children = childPids(of: irmdPid)
        XCTAssertEqual(children.count, 2)
        XCTAssertEqual(node.stop(), 0)
        for c in children { XCTAssertTrue(Spawned.isGone(c), "IPCP \(c) stopped") }
        XCTAssertEqual(node.shmObjects, [], "no shm object left")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: node.runDirectory)) ?? []
        XCTAssertEqual(leftovers.filter { $0.hasSuffix(".sock") }, [], "no socket left")
    }

    func testBadCommandLines() throws {
        let r = try node.irm("ipcp create type bogus name x")
        XCTAssertEqual(r.status, 1)
        let long = String(repeating: "n", count: 256)
        XCTAssertEqual(try node.irm("name create \(long)").status, 1)
        XCTAssertEqual(try node.run("irm", []).status, 255)
        let down = TestInstance.offline()
        let noIRMd = try down.irm("name list")
        XCTAssertEqual(noIRMd.status, 1)
        XCTAssertTrue(noIRMd.output.contains("Failed to communicate with the Ouroboros IPC Resource Manager daemon."))
        down.tearDown()
    }
}

enum Spawned {
    /// True once `pid` no longer exists (or is a zombie of someone else's).
    static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.contains(") Z")
    }
}
