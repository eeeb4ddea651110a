import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A unicast layer over network shims between nodes (network namespaces):
/// three nodes in a line A—B—C, one shim layer per link, the unicast IPCPs
/// enrolled along the line and connected per link; names resolve through
/// the DHT and packets between A and C are forwarded by B.
final class UnicastMultiNodeTests: XCTestCase {
    var bed: Testbed!
    var ab: TestLink!
    var bc: TestLink!
    /// The ring's other links, C—D and D—A.
    var cd: TestLink!
    var da: TestLink!
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }
    var c: TestNode { bed["c"] }

    /// The nodes A, B, C with links A—B and B—C (with `ring`, also D and the
    /// links C—D and D—A), irmd running on each.
    private func start(ring: Bool = false) throws {
        bed = try Testbed(nodes: ring ? ["a", "b", "c", "d"] : ["a", "b", "c"])
        ab = try bed.link("a", "b")
        bc = try bed.link("b", "c")
        if ring {
            cd = try bed.link("c", "d")
            da = try bed.link("d", "a")
        }
        for node in bed.nodes {
            // Keeps the links quiet: no IPv6 neighbour discovery or router solicitations.
            try node.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
            try node.startIRMd()
        }
    }

    override func tearDown() {
        bed?.tearDown()
    }

    private func irm(_ node: TestNode, _ line: String, file: StaticString = #filePath, number: UInt = #line) throws {
        let r = try node.irm(line)
        XCTAssertEqual(r.status, 0, "\(node.name): irm \(line)\n\(r.output)\n\(node.instance.irmdLog)", file: file, line: number)
    }

    /// The shim layers: `ab` between A and B, `bc` between B and C.
    private func ethernet() throws {
        try irm(a, "ipcp bootstrap type eth-dix name ab.a layer ab dev \(ab.aInterface)")
        try irm(b, "ipcp bootstrap type eth-dix name ab.b layer ab dev \(ab.bInterface)")
        try irm(b, "ipcp bootstrap type eth-dix name bc.b layer bc dev \(bc.aInterface)")
        try irm(c, "ipcp bootstrap type eth-dix name bc.c layer bc dev \(bc.bInterface)")
    }

    private func udp() throws {
        try irm(a, "ipcp bootstrap type udp4 name ab.a layer ab ip \(ab.aIPv4)")
        try irm(b, "ipcp bootstrap type udp4 name ab.b layer ab ip \(ab.bIPv4)")
        try irm(b, "ipcp bootstrap type udp4 name bc.b layer bc ip \(bc.aIPv4)")
        try irm(c, "ipcp bootstrap type udp4 name bc.c layer bc ip \(bc.bIPv4)")
        // UDP layers resolve names through the hosts file.
        try b.addUDPName("uA", address: ab.aIPv4)
        try c.addUDPName("uB", address: bc.aIPv4)
    }

    /// uA bootstraps the layer, uB enrolls through uA, uC through uB; each
    /// link gets a management and a data-transfer connection.
    private func unicastLine(_ options: String = "") throws {
        try irm(a, "ipcp bootstrap type unicast name uA layer uni \(options) autobind")
        try irm(a, "name register uA layer ab")
        try irm(b, "name create uA")
        try irm(b, "ipcp enroll name uB dst uA autobind")
        try irm(b, "name register uB layer ab")
        try irm(b, "name register uB layer bc")
        try irm(b, "ipcp connect name uB dst uA")
        try irm(c, "name create uB")
        try irm(c, "ipcp enroll name uC dst uB autobind")
        try irm(c, "name register uC layer bc")
        try irm(c, "ipcp connect name uC dst uB")
    }

    /// An oping server on C for `name`, registered in the unicast layer.
    private func serveOnC(_ name: String) throws {
        try irm(c, "bind program \(buildDirectory)/oping name \(name) auto -- -l")
        try irm(c, "name register \(name) layer uni")
        try irm(a, "name create \(name)")
    }

    /// 20 pings from A answered by C; the first allocation may wait for the
    /// routing and the DHT to converge.
    private func assertTwentyReplies(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        var r = CommandResult(status: 1, output: "")
        let answered = eventually(30) {
            r = (try? a.run("oping", ["-n", name, "-c", "20", "-i", "10"])) ?? r
            return r.output.contains("20 packets transmitted, 20 received")
        }
        XCTAssertTrue(answered, r.output + "\nA:\n" + a.instance.irmdLog + "\nB:\n" + b.instance.irmdLog
                      + "\nC:\n" + c.instance.irmdLog, file: file, line: line)
    }

    func testLineOverEthDIX() throws {
        try start()
        try ethernet()
        try unicastLine()
        try serveOnC("p.C")
        assertTwentyReplies("p.C")
    }

    func testLineOverUDP4() throws {
        try start()
        try udp()
        try unicastLine()
        try serveOnC("p.C")
        assertTwentyReplies("p.C")
    }

    /// A second unicast layer whose IPCPs are applications of the first, on the
    /// two ends of the line: its one link crosses B inside the first layer.
    func testRecursionOverTheLine() throws {
        try start()
        try ethernet()
        try unicastLine()
        try irm(a, "ipcp bootstrap type unicast name vA layer top autobind")
        try irm(a, "name register vA layer uni")
        try irm(c, "name create vA")
        var enrolled = false
        XCTAssertTrue(eventually(30) {
            enrolled = (try? c.irm("ipcp enroll name vC dst vA autobind").status) == 0
            return enrolled
        }, c.instance.irmdLog)
        try irm(c, "name register vC layer uni")
        try irm(c, "ipcp connect name vC dst vA")
        try irm(c, "bind program \(buildDirectory)/oping name p.top auto -- -l")
        try irm(c, "name register p.top layer top")
        try irm(a, "name create p.top")
        assertTwentyReplies("p.top")
    }

    /// Four nodes in a ring A—B—C—D—A: the path from A to C first runs
    /// through B (the ring is closed only afterwards); when B dies, its
    /// adjacencies time out at the others (ls_t_timeo) and the next
    /// recalculation (ls_t_recalc) routes through D.
    func testRingSurvivesANodeDying() throws {
        try start(ring: true)
        let d = bed["d"]
        try ethernet()
        try irm(c, "ipcp bootstrap type eth-dix name cd.c layer cd dev \(cd.aInterface)")
        try irm(d, "ipcp bootstrap type eth-dix name cd.d layer cd dev \(cd.bInterface)")
        try irm(d, "ipcp bootstrap type eth-dix name da.d layer da dev \(da.aInterface)")
        try irm(a, "ipcp bootstrap type eth-dix name da.a layer da dev \(da.bInterface)")
        try unicastLine("ls_t_timeo 6 ls_t_update 2 ls_t_recalc 1")
        try irm(a, "name register uA layer da")
        try irm(c, "name register uC layer cd")
        try irm(d, "name create uC")
        try irm(d, "ipcp enroll name uD dst uC autobind")
        try irm(d, "name register uD layer cd")
        try irm(d, "ipcp connect name uD dst uC")
        try serveOnC("p.C")
        assertTwentyReplies("p.C")

        try irm(d, "name create uA")
        try irm(d, "ipcp connect name uD dst uA")
        b.instance.stop()
        // Adjacencies of B time out after 6 s, the tables follow within 1 s.
        sleep(8)
        assertTwentyReplies("p.C")
    }
}
