import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// irmd's control socket with raw requests: names, bad input, lifecycle.
final class IRMdControlTests: NodeTestCase {
    private func createName(_ name: String, policy: UInt32 = 0) throws -> irm_msg {
        var m = irmRequest(.irmCreateName)
        var info = name_info_msg()
        info.name = name
        info.polLb = policy
        info.skey = ""
        info.scrt = ""
        info.ckey = ""
        info.ccrt = ""
        m.nameInfo = info
        return try node.send(m)
    }

    func testNamesCreateListDestroy() throws {
        XCTAssertEqual(try createName("b.name").result, 0)
        XCTAssertEqual(try createName("a.name", policy: 1).result, 0)
        XCTAssertEqual(try createName("a.name").result, 0, "an existing name is not an error")
        let list = try node.send(irmRequest(.irmListNames))
        XCTAssertEqual(list.code, .irmReply)
        XCTAssertEqual(list.names.map(\.name), ["a.name", "b.name"])
        XCTAssertEqual(list.names.map(\.polLb), [1, 0])
        var destroy = irmRequest(.irmDestroyName)
        destroy.name = "a.name"
        XCTAssertEqual(try node.send(destroy).result, 0)
        XCTAssertEqual(try node.send(destroy).result, -1)
        XCTAssertEqual(try node.send(irmRequest(.irmListNames)).names.map(\.name), ["b.name"])
    }

    func testNameTooLongIsRejected() throws {
        XCTAssertEqual(try createName(String(repeating: "x", count: 256)).result, -EINVAL)
        XCTAssertEqual(try createName(String(repeating: "x", count: 255)).result, 0)
    }

    func testUnknownIPCPTypeIsRejected() throws {
        var m = irmRequest(.irmCreateIpcp)
        var info = ipcp_info_msg()
        info.type = 7
        info.name = "bad"
        info.pid = 0
        info.state = 0
        m.ipcpInfo = info
        XCTAssertEqual(try node.send(m).result, -OuroError.ipcpType.code)
    }

    /// Garbage on irm.sock is logged and dropped; irmd keeps serving.
    func testBadInputIsDroppedAndIRMdKeepsServing() throws {
        func sendRaw(_ bytes: [UInt8]) throws -> [UInt8] {
            let s = try UnixSocket.connect(path: node.instance.irmSocketPath)
            defer { s.close() }
            s.setReceiveTimeout(microseconds: 2_000_000)
            try s.send(bytes)
            return (try? s.receive()) ?? []
        }
        var rng = SystemRandomNumberGenerator()
        let random = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        XCTAssertEqual(try sendRaw(random), [], "random bytes get no reply")
        var valid = irmRequest(.irmBindProcess)
        valid.pid = 1
        valid.name = "x"
        let bytes: [UInt8] = try valid.serializedBytes()
        XCTAssertEqual(try sendRaw(Array(bytes.prefix(bytes.count - 2))), [], "a truncated message gets no reply")
        XCTAssertEqual(try sendRaw([0x10, 0x02]), [], "a message without its required code gets no reply")
        var missing = irmRequest(.irmCreateIpcp)
        missing.ipcpInfo = ipcp_info_msg()
        let partial: [UInt8] = try missing.serializedBytes(partial: true)
        XCTAssertEqual(try sendRaw(partial), [], "a nested message missing required fields gets no reply")
        var big = [UInt8](repeating: 0x08, count: 20_000)
        big[1] = 0x01
        XCTAssertEqual(try sendRaw(big), [], "an oversized message gets no reply")
        XCTAssertEqual(try node.send(irmRequest(.irmListNames)).result, 0, "irmd still answers")
        XCTAssertTrue(eventually(2) { node.irmdLog.contains("Failed to unpack request message") })
    }

    func testShutdownLeavesNothingBehind() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: node.instance.irmSocketPath))
        XCTAssertFalse(node.shmObjects.isEmpty, "the lockfile exists while irmd runs")
        XCTAssertEqual(node.stop(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: node.instance.irmSocketPath))
        XCTAssertEqual(node.shmObjects, [])
    }

    /// irmd killed outright: the next one recovers the lock and the objects left.
    func testStaleInstanceIsRecovered() throws {
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        let irmd = try XCTUnwrap(node.irmd)
        let ipcp = try XCTUnwrap(childPids(of: irmd.processIdentifier).first)
        kill(irmd.processIdentifier, SIGKILL)
        irmd.waitUntilExit()
        XCTAssertTrue(eventually(5) { Spawned.isGone(ipcp) }, "the IPCP dies with its irmd")
        XCTAssertFalse(node.shmObjects.isEmpty, "a killed irmd leaves its objects")
        try node.startIRMd()
        XCTAssertTrue(node.irmdLog.contains("Stale resources cleaned."))
        XCTAssertEqual(try node.irm("ipcp list").output, "No IPCPs in system.\n\n")
        XCTAssertEqual(node.stop(), 0)
        XCTAssertEqual(node.shmObjects, [])
    }

    func testSecondIRMdRefusesToStart() throws {
        let second = Process()
        second.executableURL = URL(fileURLWithPath: buildDirectory + "/irmd")
        second.arguments = ["--stdout"]
        second.environment = node.environment
        let pipe = Pipe()
        second.standardOutput = pipe
        try second.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 1)
        XCTAssertTrue(out.contains("already running"), out)
        XCTAssertEqual(try node.send(irmRequest(.irmListNames)).result, 0)
    }

    func testVersionAndUsage() throws {
        let v = try node.run("irmd", ["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertEqual(v.output, "Ouroboros version 0.23.0\n")
        let u = try node.run("irmd", ["--bogus"])
        XCTAssertEqual(u.status, 1)
        XCTAssertTrue(u.output.hasPrefix("Usage: irmd"))
    }
}
