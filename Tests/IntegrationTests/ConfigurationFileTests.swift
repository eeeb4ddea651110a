import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `irmd --config` on one host: a file that sets up a local layer with names
/// and auto-started programs.
final class ConfigurationFileTests: XCTestCase {
    var node: TestInstance!

    override func setUpWithError() throws {
        node = try TestInstance()
    }

    override func tearDown() {
        node?.tearDown()
    }

    private func write(_ text: String) -> String {
        let path = node.runDirectory + "/irmd.conf"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func testLocalLayerWithAutoStartedServer() throws {
        let path = write("""
            [name."my.oping.server"]
            prog=["\(buildDirectory)/oping"]
            args=["-l"]
            lb="round-robin"

            [local.lo]
            bootstrap="lo"
            autobind=true
            reg=["my.oping.server"]
            """)
        try node.startIRMd(arguments: ["--stdout", "--config", path])
        let list = try node.irm("ipcp list").output
        XCTAssertTrue(list.contains("|                   lo |      local |                   lo |"), list + node.irmdLog)
        let names = try node.irm("name list").output
        XCTAssertTrue(names.contains("my.oping.server |          round-robin |"), names)
        XCTAssertTrue(names.contains("lo |            spillover |"), "autobind created the layer name: \(names)")
        let r = try node.run("oping", ["-n", "my.oping.server", "-c", "3", "-i", "20"])
        XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output + node.irmdLog)
        XCTAssertEqual(node.stop(), 0)
        XCTAssertEqual(node.shmObjects, [])
    }
}

/// `irmd --config` on testbed nodes (network namespaces): two nodes built and
/// joined by configuration files alone, and bad files that stop irmd cleanly
/// with nothing left running in the node.
final class ConfigurationFileNodeTests: XCTestCase {
    var bed: Testbed!

    override func tearDown() {
        bed?.tearDown()
    }

    /// Writes `text` as the node's irmd.conf and returns its path.
    private func write(_ text: String, on node: TestNode) -> String {
        let path = node.instance.runDirectory + "/irmd.conf"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// The rows of `irm ipcp list [filters]` as "name type layer".
    private func ipcps(_ node: TestNode, _ filters: String = "") -> [String] {
        let out = (try? node.irm("ipcp list " + filters).output) ?? ""
        return out.split(separator: "\n").dropFirst(3).filter { $0.hasPrefix("| ") }.map { line in
            line.split(separator: "|").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
    }

    /// The names of `irm name list`.
    private func names(_ node: TestNode) -> Set<String> {
        let out = (try? node.irm("name list").output) ?? ""
        return Set(out.split(separator: "\n").dropFirst(3).filter { $0.hasPrefix("| ") }.compactMap {
            $0.split(separator: "|").first?.trimmingCharacters(in: .whitespaces)
        })
    }

    private func logs() -> String {
        bed.nodes.map { "\n\($0.name):\n" + $0.instance.irmdLog }.joined()
    }

    /// Pings `name` from `node` until 5 replies come back (routing and the DHT
    /// may need a moment).
    private func assertPings(_ name: String, from node: TestNode, file: StaticString = #filePath, line: UInt = #line) {
        var r = CommandResult(status: 1, output: "")
        let answered = eventually(30) {
            r = (try? node.run("oping", ["-n", name, "-c", "5", "-i", "20"])) ?? r
            return r.output.contains("5 packets transmitted, 5 received")
        }
        XCTAssertTrue(answered, r.output + logs(), file: file, line: line)
    }

    /// A: a local layer, an eth-dix layer on the veth and a unicast layer over
    /// it, with names registered and oping servers auto-started. B: the same
    /// kind of file, but its unicast IPCP enrols with A's over eth-dix and
    /// connects. Then pings go both ways across the unicast layer.
    func testSecondNodeJoinsThroughItsFile() throws {
        bed = try Testbed(nodes: ["a", "b"])
        let link = try bed.link("a", "b")
        let (a, b) = (bed["a"], bed["b"])
        let oping = buildDirectory + "/oping"
        let fileA = write("""
            [name."p.lo"]
            prog=["\(oping)"]
            args=["-l"]

            [name."p.A"]
            prog=["\(oping)"]
            args=["-l"]
            lb="round-robin"

            [name."p.B"]

            [local.lo]
            bootstrap="lo"
            reg=["p.lo"]

            [eth-dix."e.a"]
            bootstrap="e"
            dev="\(link.aInterface)"
            reg=["uA"]
            autobind=false

            [unicast.uA]
            bootstrap="uni"
            autobind=true
            reg=["p.A"]
            """, on: a)
        try a.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        try a.startIRMd(directIPC: false, config: fileA)
        let expectedA = ["lo local lo", "e.a eth-dix e", "uA unicast uni"]
        XCTAssertTrue(eventually(20) { Set(ipcps(a)) == Set(expectedA) }, "\(ipcps(a))" + logs())
        XCTAssertEqual(ipcps(a, "type unicast"), ["uA unicast uni"])
        XCTAssertTrue(names(a).isSuperset(of: ["p.lo", "p.A", "p.B", "uA", "uni"]), "\(names(a))")
        XCTAssertTrue(names(a).isDisjoint(with: ["e.a", "e"]), "autobind=false binds nothing: \(names(a))")
        XCTAssertTrue(try a.irm("name list").output.contains("p.A |          round-robin |"))
        // Through the local IPCP (no direct IPC): the server is started on demand.
        assertPings("p.lo", from: a)

        let fileB = write("""
            [name."p.B"]
            prog=["\(oping)"]
            args=["-l"]

            [name.uA]
            [name."p.A"]

            [eth-dix."e.b"]
            bootstrap="e"
            dev="\(link.bInterface)"
            reg=["uB"]

            [unicast.uB]
            enrol="uA"
            autobind=true
            reg=["p.B"]
            conn=["uA"]
            """, on: b)
        try b.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        try b.startIRMd(directIPC: false, config: fileB)
        XCTAssertTrue(eventually(30) { ipcps(b).contains("uB unicast uni") }, "\(ipcps(b))" + logs())
        XCTAssertTrue(eventually(20) { b.instance.irmdLog.contains("Established Data Transfer connection") }, logs())
        XCTAssertEqual(Set(ipcps(b)), ["e.b eth-dix e", "uB unicast uni"])
        XCTAssertTrue(names(b).isSuperset(of: ["p.B", "uB", "uni"]), "autobind on the enrol path: \(names(b))")
        assertPings("p.A", from: b)
        assertPings("p.B", from: a)
    }

    /// Each bad file: irmd exits 1 naming the file, line and key, having
    /// applied nothing, and nothing of the node's instance is left.
    func testBadFilesNameTheirErrorAndLeaveNothing() throws {
        bed = try Testbed(nodes: ["n"])
        let node = bed["n"]
        let cases: [(String, String)] = [
            ("[lcoal.lo]\nbootstrap=\"lo\"\n", ":1: lcoal: unknown table"),
            ("[local.lo]\nbootstrap=\"lo\"\nregister=[\"x\"]\n", ":3: register: unknown key"),
            ("[local.lo]\nbootstrap=\"lo\"\n\n[unicast.u]\nbootstrap=\"u\"\nautobind=\"no\"\n",
             ":6: autobind: expected true or false"),
            ("[name.a]\nlb=\"spillover\"\n", ":2: lb: unknown load-balancing policy \"spillover\""),
            ("[name.a]\nprog=[\"/bin/true\"]\nargs=[\"-x\", \"-y\"]\n", ":3: args: more entries than prog"),
            ("[local.lo]\nbootstrap=\"lo\"\n\n[eth-dix.e]\nbootstrap=\"e\"\ndev=\"lo\"\nethertype=0x10\n",
             ":7: ethertype: 16 is out of range"),
            ("[name.a]\n\n[eth-llc.e]\nbootstrap=\"e\"\n", ":3: missing dev"),
            ("[udp4.u]\nbootstrap=\"u\"\nip=\"10.0.0.256\"\n", ":3: ip: invalid address \"10.0.0.256\""),
            ("[unicast.u]\nenrol=\"x\"\nconn=\"x\"\n", ":3: conn: expected an array of strings"),
            ("[unicast.u]\nbootstrap=\"u\"\nrouting=\"rip\"\n", ":3: routing: unknown routing"),
            ("[unicast.u]\nbootstrap=\"u\n", ":2: unterminated string"),
        ]
        for (text, message) in cases {
            let path = write(text, on: node)
            let r = try node.run("irmd", ["--stdout", "--config", path])
            XCTAssertEqual(r.status, 1, text + r.output)
            XCTAssertTrue(r.output.contains("Configuration error: \(path)\(message)"), "\(message) for\n\(text)\(r.output)")
            XCTAssertFalse(r.output.contains("Created IPCP"), "nothing was applied: \(r.output)")
            assertNothingLeft(node)
        }
        let missing = try node.run("irmd", ["--stdout", "--config", "/nonexistent/irmd.conf"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("Failed to read configuration file /nonexistent/irmd.conf"), missing.output)
    }

    /// A step that fails while applying (no such device) stops irmd and every
    /// IPCP it had started.
    func testFailingStepStopsEverything() throws {
        bed = try Testbed(nodes: ["n"])
        let node = bed["n"]
        let path = write("[local.lo]\nbootstrap=\"lo\"\n\n[eth-dix.e]\nbootstrap=\"e\"\ndev=\"no-such-device0\"\n", on: node)
        let r = try node.run("irmd", ["--stdout", "--config", path])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("Created IPCP"), "the local IPCP was started: \(r.output)")
        XCTAssertTrue(r.output.contains("Failed to apply configuration file \(path)"), r.output)
        assertNothingLeft(node)
    }

    /// No process in the node's namespace, no shm object, no irmd socket.
    private func assertNothingLeft(_ node: TestNode, file: StaticString = #filePath, line: UInt = #line) {
        let pids = (try? Testbed.exec(Testbed.ip, ["netns", "pids", node.namespace]).output) ?? "?"
        XCTAssertEqual(pids.trimmingCharacters(in: .whitespacesAndNewlines), "", "still running", file: file, line: line)
        XCTAssertEqual(node.instance.shmObjects, [], file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: node.instance.instance.irmSocketPath), file: file, line: line)
    }
}
