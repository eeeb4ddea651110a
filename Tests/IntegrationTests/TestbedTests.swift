import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The multi-node harness itself: nodes come up with their own irmd and hosts
/// file, links carry IPv4 and IPv6, and nothing is left after tearDown.
final class TestbedTests: XCTestCase {
    func testNodesLinksHostsAndCleanup() throws {
        let bed = try Testbed(nodes: ["a", "b"])
        defer { bed.tearDown() }
        let link = try bed.link("a", "b")
        let (a, b) = (bed["a"], bed["b"])
        try a.startIRMd()
        try b.startIRMd()
        XCTAssertEqual(try a.irm("ipcp list").status, 0)

        let addresses = try b.sh(Testbed.ip, ["addr", "show", link.bInterface]).output
        XCTAssertTrue(addresses.contains(link.bIPv4 + "/24"), addresses)
        XCTAssertTrue(addresses.contains(link.bIPv6 + "/64"), addresses)

        try a.addUDPName("some.name", address: link.bIPv4)
        let md5 = HashAlgorithm.md5.digest(name: "some.name").map { String(format: "%02x", $0) }.joined()
        let resolved = try a.sh("/usr/bin/getent", ["ahostsv4", md5]).output
        XCTAssertTrue(resolved.contains(link.bIPv4), resolved)
        XCTAssertNotEqual(try b.sh("/usr/bin/getent", ["hosts", md5]).status, 0)

        let reached = try a.sh("/usr/bin/python3", ["-c", """
            import socket
            for fam, dst in ((socket.AF_INET, "\(link.bIPv4)"), (socket.AF_INET6, "\(link.bIPv6)")):
                s = socket.socket(fam, socket.SOCK_DGRAM); s.connect((dst, 9)); print(s.getsockname()[0])
            """]).output
        XCTAssertTrue(reached.contains(link.aIPv4) && reached.contains(link.aIPv6), reached)

        let namespaces = [a.namespace, b.namespace]
        let runDirectories = [a.instance.runDirectory, b.instance.runDirectory]
        bed.tearDown()
        let left = try Testbed.exec(Testbed.ip, ["netns", "list"]).output
        for ns in namespaces {
            XCTAssertFalse(left.contains(ns), left)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/netns/\(ns)"))
        }
        for dir in runDirectories { XCTAssertFalse(FileManager.default.fileExists(atPath: dir)) }
        XCTAssertEqual(a.instance.shmObjects + b.instance.shmObjects, [])
    }
}
