import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// ipcpd-udp4 and ipcpd-udp6 between two nodes (network namespaces joined by a
/// veth pair): flows, throughput, separate layers, robustness against bad
/// datagrams, and fast failures.
final class UDPLayerTests: XCTestCase {
    var bed: Testbed!
    var link: TestLink!
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }

    override func setUpWithError() throws {
        bed = try Testbed(nodes: ["a", "b"])
        link = try bed.link("a", "b")
        try a.startIRMd(directIPC: false)
        try b.startIRMd(directIPC: false)
    }

    override func tearDown() {
        bed?.tearDown()
    }

    /// A UDP IPCP on each node in `layer`, bound to the link's addresses.
    private func bootstrap(_ type: String, layer: String, port: Int? = nil) throws {
        let v6 = type == "udp6"
        for (node, ip) in [(a, v6 ? link.aIPv6 : link.aIPv4), (b, v6 ? link.bIPv6 : link.bIPv4)] {
            let portWords = port.map { " port \($0)" } ?? ""
            let r = try node.irm("ipcp bootstrap type \(type) name \(layer).\(node.name) layer \(layer) ip \(ip)\(portWords)")
            XCTAssertEqual(r.status, 0, r.output + node.instance.irmdLog)
        }
    }

    /// Starts `tool -l` on b as the server for `name` in `layer`, and makes the
    /// name resolvable from a (hosts entry with its MD5, name known to a's irmd).
    @discardableResult
    private func serve(_ tool: String, _ name: String, layer: String, address: String) throws -> Process {
        let server = try b.spawn(tool, ["-l"])
        XCTAssertTrue(eventually(10) { b.instance.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try b.irm("bind process \(server.processIdentifier) name \(name)").status, 0)
        XCTAssertEqual(try b.irm("name register \(name) layer \(layer)").status, 0)
        XCTAssertEqual(try a.irm("name create \(name)").status, 0)
        try a.addUDPName(name, address: address)
        return server
    }

    private func assertPings(_ r: CommandResult, count: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 0, r.output + a.instance.irmdLog + b.instance.irmdLog, file: file, line: line)
        XCTAssertTrue(r.output.contains("\(count) packets transmitted, \(count) received"), r.output, file: file, line: line)
    }

    func testPingPerfAndCBROverUDP4() throws {
        try bootstrap("udp4", layer: "udp")
        try serve("oping", "ping.udp", layer: "udp", address: link.bIPv4)
        try serve("operf", "perf.udp", layer: "udp", address: link.bIPv4)
        let cbr = try serve("ocbr", "cbr.udp", layer: "udp", address: link.bIPv4)

        assertPings(try a.run("oping", ["-n", "ping.udp", "-c", "20", "-i", "10"]), count: 20)

        let perf = try a.run("operf", ["-n", "perf.udp", "-t", "bi", "-s", "1400", "-d", "1s", "-r", "20M"])
        XCTAssertEqual(perf.status, 0, perf.output)
        let received = perf.output.firstMatch(of: /(\d+) packets transmitted, (\d+) received/)
        XCTAssertNotNil(received, perf.output)
        XCTAssertGreaterThan(Int(received?.output.2 ?? "0") ?? 0, 0, perf.output)

        // A one-way flood: bytes arrive, and the layer still allocates flows afterwards
        // (the reference's readers wedged on an exhausted pool here).
        let client = try a.run("ocbr", ["-n", "cbr.udp", "-d", "1", "-s", "1400", "-f"])
        XCTAssertEqual(client.status, 0, client.output)
        XCTAssertTrue(eventually(5) { b.instance.output(of: cbr).contains("packets received") }, b.instance.output(of: cbr))
        let totals = b.instance.output(of: cbr).firstMatch(of: /(\d+) packets received/)
        XCTAssertGreaterThan(Int(totals?.output.1 ?? "0") ?? 0, 0, b.instance.output(of: cbr))
        assertPings(try a.run("oping", ["-n", "ping.udp", "-c", "3", "-i", "10"]), count: 3)
    }

    func testPingOverUDP6() throws {
        try bootstrap("udp6", layer: "udp6")
        try serve("oping", "ping.udp6", layer: "udp6", address: link.bIPv6)
        assertPings(try a.run("oping", ["-n", "ping.udp6", "-c", "20", "-i", "10"]), count: 20)
    }

    /// Two udp4 layers on the same node pair, on ports 3435 and 3436: each
    /// name is reachable only through its own layer, and both carry flows.
    func testTwoLayersOnDifferentPortsStaySeparate() throws {
        try bootstrap("udp4", layer: "red", port: 3435)
        try bootstrap("udp4", layer: "blue", port: 3436)
        try serve("oping", "ping.red", layer: "red", address: link.bIPv4)
        try serve("oping", "ping.blue", layer: "blue", address: link.bIPv4)
        assertPings(try a.run("oping", ["-n", "ping.red", "-c", "5", "-i", "10"]), count: 5)
        assertPings(try a.run("oping", ["-n", "ping.blue", "-c", "5", "-i", "10"]), count: 5)
        let sockets = try b.sh("/bin/cat", ["/proc/net/udp"]).output
        XCTAssertTrue(sockets.contains(":0D6B"), sockets)
        XCTAssertTrue(sockets.contains(":0D6C"), sockets)
        // Each server's flow arrived through its own layer's IPCP.
        let log = b.instance.irmdLog
        XCTAssertTrue(log.contains("Flow request arrived for ping.red") && log.contains("Flow request arrived for ping.blue"), log)
    }

    /// Short, unknown-eid, foreign, malformed-management and oversized
    /// datagrams and flow replies from the wrong address, sent by a raw
    /// sender, are dropped and counted while a flow keeps working.
    func testBadDatagramsAreDroppedWhileTheFlowWorks() throws {
        try bootstrap("udp4", layer: "udp")
        try serve("oping", "ping.udp", layer: "udp", address: link.bIPv4)
        let ping = try a.spawn("oping", ["-n", "ping.udp", "-c", "150", "-i", "10"])
        XCTAssertTrue(a.instance.waitForOutput(ping, "seq=5"), a.instance.output(of: ping))
        let sender = """
            import socket, struct
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            dst = ("\(link.bIPv4)", 3435)
            s.sendto(b"\\x00\\x01", dst)                                  # short
            s.sendto(struct.pack(">I", 4000) + b"x" * 20, dst)           # unknown eid
            s.sendto(b"\\x00" * 30, dst)                                  # management, shorter than 47
            s.sendto(b"\\x00" * 44 + b"\\x01\\x00\\x00" + b"\\xaa" * 5, dst)  # FLOW_REQ without its digest
            s.sendto(b"\\x00" * 44 + b"\\x07\\x00\\x00", dst)               # unknown management code
            s.sendto(struct.pack(">I", 64) + b"y" * 9100, dst)           # larger than the maximum packet
            for eid in range(1, 33):                                     # the flow's eid, but not from its peer
                s.sendto(struct.pack(">I", eid) + b"z", dst)
            reply = lambda eid: b"\\x00" * 4 + struct.pack(">II", eid, 99) + b"\\x00" * 32 + b"\\x02\\x00\\x00"
            for eid in range(1, 33):                                     # replies from the wrong address
                s.sendto(reply(eid), ("\(link.aIPv4)", 3435))
            """
        let sent = try a.sh("/usr/bin/python3", ["-c", sender])
        XCTAssertEqual(sent.status, 0, sent.output)
        XCTAssertTrue(eventually(20) { ping.isRunning == false })
        let output = a.instance.output(of: ping)
        XCTAssertTrue(output.contains("150 packets transmitted, 150 received"), output)
        let log = b.instance.irmdLog
        for text in ["Dropped datagram shorter than its header", "Dropped datagram for an unknown endpoint id",
                     "Dropped datagram larger than the maximum packet"] {
            XCTAssertTrue(log.contains(text), "\(text) missing:\n\(log)")
        }
        XCTAssertTrue(log.contains("Dropped malformed management datagram") && log.contains("; 3 so far."), log)
        XCTAssertTrue(log.contains("Dropped datagram for an endpoint id of another peer"), log)
        let aLog = a.instance.irmdLog
        XCTAssertTrue(aLog.contains("Dropped flow reply from the wrong address"), aLog)
    }

    /// A name with no address anywhere fails at once (no IPCP can reach it),
    /// and a name that resolves to a node which does not know it fails with
    /// the peer's refusal instead of the 20 s allocation timeout.
    func testUnresolvableAndUnknownNamesFailFast() throws {
        try bootstrap("udp4", layer: "udp")
        XCTAssertEqual(try a.irm("name create nowhere").status, 0)
        var started = Deadline.now
        let nowhere = try a.run("oping", ["-n", "nowhere", "-c", "1"])
        XCTAssertNotEqual(nowhere.status, 0, nowhere.output)
        XCTAssertLessThan(Deadline.now.nanoseconds - started.nanoseconds, 2_000_000_000, nowhere.output)

        XCTAssertEqual(try a.irm("name create unknown.at.b").status, 0)
        try a.addUDPName("unknown.at.b", address: link.bIPv4)
        started = Deadline.now
        let unknown = try a.run("oping", ["-n", "unknown.at.b", "-c", "1"])
        XCTAssertNotEqual(unknown.status, 0, unknown.output)
        XCTAssertLessThan(Deadline.now.nanoseconds - started.nanoseconds, 5_000_000_000, unknown.output + a.instance.irmdLog)
        XCTAssertTrue(a.instance.irmdLog.contains("refused"), a.instance.irmdLog)
    }
}
