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

    /// The ring A—B—C—D—A over eth-dix, closed from the start, with the
    /// unicast layer bootstrapped with `options`; returns once A reaches C.
    private func closedRing(_ options: String) throws {
        try start(ring: true)
        let d = bed["d"]
        try ethernet()
        try irm(c, "ipcp bootstrap type eth-dix name cd.c layer cd dev \(cd.aInterface)")
        try irm(d, "ipcp bootstrap type eth-dix name cd.d layer cd dev \(cd.bInterface)")
        try irm(d, "ipcp bootstrap type eth-dix name da.d layer da dev \(da.aInterface)")
        try irm(a, "ipcp bootstrap type eth-dix name da.a layer da dev \(da.bInterface)")
        try unicastLine(options)
        try irm(a, "name register uA layer da")
        try irm(c, "name register uC layer cd")
        try irm(d, "name create uC")
        try irm(d, "ipcp enroll name uD dst uC autobind")
        try irm(d, "name register uD layer cd")
        try irm(d, "name register uD layer da")
        try irm(d, "ipcp connect name uD dst uC")
        try irm(d, "name create uA")
        try irm(d, "ipcp connect name uD dst uA")
        try serveOnC("p.C")
        assertTwentyReplies("p.C")
    }

    /// Packets node `node` sent on interface `dev` so far (kernel counters).
    private func txPackets(_ node: TestNode, _ dev: String) throws -> Int {
        let r = try node.sh("/bin/cat", ["/sys/class/net/\(dev)/statistics/tx_packets"])
        return Int(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Loop-free alternates: a steady oping stream A→C (one ping every 10 ms
    /// for 10 s) runs on A's primary link; 3 s in, that link goes down at A.
    /// The eth-dix IPCP sees it through netlink and marks its flows down; A's
    /// table switches to the alternate through D at once, and routing
    /// withdraws the adjacency at A and B so that replies C→A that went
    /// through B reconverge within milliseconds. The pings go on over the
    /// same flow, losing under 1%.
    func testLoopFreeAlternateTakesOverWhenThePrimaryLinkGoesDown() throws {
        try closedRing("routing lfa")
        let viaB = try txPackets(a, ab.aInterface), viaD = try txPackets(a, da.bInterface)
        let client = try a.spawn("oping", ["-n", "p.C", "-c", "1000", "-i", "10"])
        sleep(3)
        let toB = try txPackets(a, ab.aInterface) - viaB, toD = try txPackets(a, da.bInterface) - viaD
        let (primary, alternate) = toB > toD ? (ab.aInterface, da.bInterface) : (da.bInterface, ab.aInterface)
        XCTAssertGreaterThan(max(toB, toD), 150, "the stream runs on one link (B: \(toB), D: \(toD))")
        XCTAssertLessThan(min(toB, toD), 100, "and not on the other (B: \(toB), D: \(toD))")
        let before = try txPackets(a, alternate)
        try a.sh(Testbed.ip, ["link", "set", primary, "down"])
        XCTAssertTrue(eventually(60) { !client.isRunning }, "oping still running")
        let after = try txPackets(a, alternate) - before
        let report = a.instance.output(of: client)
        XCTAssertEqual(client.terminationStatus, 0, report)
        XCTAssertGreaterThan(after, 500, "the rest of the stream left on \(alternate)")
        // "1000 packets transmitted, <n> received, <l>% packet loss, time: ..."
        let line = report.split(separator: "\n").first { $0.contains("packets transmitted") } ?? ""
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        XCTAssertGreaterThanOrEqual(numbers.count, 2, report)
        guard numbers.count >= 2 else { return }
        print("LFA failover: \(numbers[0]) pings, \(numbers[1]) replies, "
              + "\(after) frames on the alternate link after the cut")
        XCTAssertEqual(numbers[0], 1000, report)
        XCTAssertGreaterThanOrEqual(numbers[1], 990, "under 1% lost\n\(report)")
    }

    /// Equal-cost multipath: A reaches C over B and over D at equal cost, and
    /// the packets of several flows alternate between the two links.
    func testEqualCostMultipathUsesBothLinks() throws {
        try closedRing("routing ecmp")
        let viaB = try txPackets(a, ab.aInterface), viaD = try txPackets(a, da.bInterface)
        for _ in 0..<3 {
            let r = try a.run("oping", ["-n", "p.C", "-c", "100", "-i", "5"])
            XCTAssertTrue(r.output.contains("100 packets transmitted, 100 received"), r.output)
        }
        let toB = try txPackets(a, ab.aInterface) - viaB, toD = try txPackets(a, da.bInterface) - viaD
        print("ECMP: \(toB) frames towards B, \(toD) towards D")
        XCTAssertGreaterThan(toB, 100, "B: \(toB), D: \(toD)")
        XCTAssertGreaterThan(toD, 100, "B: \(toB), D: \(toD)")
        // uA's own counters agree: both DT N-1 flows sent.
        let dt = try a.irm("ipcp info name uA dt").output
        let sent = dt.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("sent: ") }
            .compactMap { line in line.split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) } }
        XCTAssertEqual(sent.count, 2, dt)
        XCTAssertTrue(sent.allSatisfy { $0 > 100 }, dt)
    }

    /// The figures of one bottleneck run: per ocbr flow the packets sent
    /// (client) and received and lost (server, from sequence numbers), and
    /// the sending IPCP's flow allocator state half way.
    private struct BottleneckRun {
        var sent: [Int] = []
        var received: [Int] = []
        var lost: [Int] = []
        var senderState = ""
        var loss: Double { Double(lost.reduce(0, +)) / Double(max(sent.reduce(0, +), 1)) }
        /// Jain's fairness index of the received counts (1: equal shares).
        var fairness: Double {
            let x = received.map(Double.init)
            let sq = x.reduce(0) { $0 + $1 * $1 }
            return sq == 0 ? 0 : x.reduce(0, +) * x.reduce(0, +) / (Double(x.count) * sq)
        }
    }

    /// The line A—B—C with `congestion policy`, B's link towards C held to
    /// 20 Mbit/s by a tbf qdisc whose queue outlasts the packet socket's send
    /// buffer (so the queue builds in B's N-1 flow, where mb-ecn sees it),
    /// and two ocbr flows A→C offering 30 Mbit/s each for 5 s.
    private func bottleneckRun(_ policy: String) throws -> BottleneckRun {
        try start()
        try ethernet()
        try unicastLine("congestion \(policy)")
        try serveOnC("p.C")
        assertTwentyReplies("p.C")
        var servers: [Process] = []
        for i in 1...2 {
            let server = try c.spawn("ocbr", ["-l", "-t", "3"])
            XCTAssertTrue(c.instance.waitForOutput(server, "Server started"))
            try irm(c, "bind process \(server.processIdentifier) name cbr\(i)")
            try irm(c, "name register cbr\(i) layer uni")
            try irm(a, "name create cbr\(i)")
            servers.append(server)
        }
        try b.sh("/usr/sbin/tc", ["qdisc", "add", "dev", bc.aInterface, "root", "tbf", "rate", "20mbit",
                                  "burst", "32kb", "limit", "2mb"])
        let clients = try (1...2).map { i in
            try a.spawn("ocbr", ["-n", "cbr\(i)", "-d", "5", "-s", "1000", "-r", "30M"])
        }
        var run = BottleneckRun()
        sleep(3)
        run.senderState = (try? a.irm("ipcp info name uA flows").output) ?? ""
        for client in clients {
            XCTAssertTrue(eventually(30) { !client.isRunning }, "ocbr client still running")
            let report = a.instance.output(of: client)
            let line = report.split(separator: "\n").first { $0.contains("sent statistics") } ?? ""
            run.sent.append(line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.first ?? 0)
        }
        for server in servers {
            XCTAssertTrue(c.instance.waitForOutput(server, "packets received", seconds: 15), c.instance.output(of: server))
            let report = c.instance.output(of: server)
            let line = report.split(separator: "\n").first { $0.contains("packets received") } ?? ""
            // "Flow <fd>: <received> packets received, <lost> lost, <n> out of order"
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            XCTAssertEqual(numbers.count, 4, report)
            run.received.append(numbers.count == 4 ? numbers[1] : 0)
            run.lost.append(numbers.count == 4 ? numbers[2] : 0)
        }
        bed.tearDown()
        bed = nil
        return run
    }

    /// The first number after `label: ` in `text`, summed over every occurrence.
    private func total(_ label: String, in text: String) -> Int {
        text.split(separator: "\n").filter { $0.contains(label + ": ") }
            .compactMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
            .reduce(0, +)
    }

    /// Multi-bit ECN at a bottleneck: two flows offering 60 Mbit/s into 20.
    /// Without congestion avoidance each sender keeps offering its rate and
    /// the bottleneck's queue drops about two thirds; with mb-ecn the queue
    /// at B marks the packets, C's flow allocator reports the level back and
    /// A's paces both flows (the applications' writes block), so clearly
    /// fewer packets are lost while the two flows keep comparable shares.
    func testMultiBitECNLosesLessThanNoneAtABottleneck() throws {
        let ecn = try bottleneckRun("mb-ecn")
        let none = try bottleneckRun("none")
        print(String(format: "mb-ecn: sent %@ received %@ loss %.1f%% fairness %.3f; none: sent %@ received %@ loss %.1f%%",
                     "\(ecn.sent)", "\(ecn.received)", ecn.loss * 100, ecn.fairness,
                     "\(none.sent)", "\(none.received)", none.loss * 100))
        XCTAssertGreaterThan(none.loss, 0.5, "the bottleneck holds 60 Mbit/s offered to 20")
        XCTAssertLessThan(ecn.loss, none.loss - 0.1, "mb-ecn loses clearly less")
        XCTAssertGreaterThan(ecn.fairness, 0.8, "comparable shares: \(ecn.received)")
        XCTAssertGreaterThan(total("reports received", in: ecn.senderState), 0, ecn.senderState)
        XCTAssertGreaterThan(total("packets held back", in: ecn.senderState), 0, ecn.senderState)
        XCTAssertTrue(none.senderState.contains("congestion avoidance: none"), none.senderState)
    }
}
