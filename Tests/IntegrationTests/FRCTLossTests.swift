import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// FRCT over a lossy link: two nodes on udp4 with an nftables rule in one
/// namespace that drops a random share of the layer's datagrams both ways.
final class FRCTLossTests: XCTestCase {
    var bed: Testbed!
    var link: TestLink!
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }

    /// The layer the transfer crosses: "udp" (udp4) or "eth" (eth-dix).
    private var layer = "udp"

    override func setUpWithError() throws {
        guard access("/usr/sbin/nft", X_OK) == 0 else { throw XCTSkip("needs nftables") }
        bed = try Testbed(nodes: ["a", "b"])
        link = try bed.link("a", "b")
        try a.startIRMd(directIPC: false)
        try b.startIRMd(directIPC: false)
    }

    private func bootstrapUDP() throws {
        for (node, ip) in [(a, link.aIPv4), (b, link.bIPv4)] {
            let r = try node.irm("ipcp bootstrap type udp4 name udp.\(node.name) layer udp ip \(ip)")
            XCTAssertEqual(r.status, 0, r.output + node.instance.irmdLog)
        }
    }

    private func bootstrapEthDIX() throws {
        layer = "eth"
        for (node, dev) in [(a, link.aInterface), (b, link.bInterface)] {
            let r = try node.irm("ipcp bootstrap type eth-dix name eth.\(node.name) layer eth dev \(dev)")
            XCTAssertEqual(r.status, 0, r.output + node.instance.irmdLog)
        }
    }

    override func tearDown() {
        bed?.tearDown()
    }

    /// Drops `percent` % of the layer's data packets (FRCT data and control)
    /// both ways, at ingress on both nodes, so that every drop is a loss on
    /// the wire (a drop at a local output hook is a send error instead). The
    /// layers' own flow allocation messages are spared: they have no
    /// retransmission of their own, as in the reference. udp4: every datagram
    /// with a UDP length outside 60...200 (the allocation messages are 107 and
    /// 139 bytes); eth-dix: every frame whose eid is not 0 (management).
    private func lose(_ percent: Int) throws {
        let match = layer == "udp" ? "udp dport 3435 udp length != 60-200" : "ether type 0xa000 @ll,112,16 != 0"
        for (node, dev) in [(a, link.aInterface), (b, link.bInterface)] {
            try apply(on: node, """
                table netdev loss {
                  chain in { type filter hook ingress device "\(dev)" priority 0; \(match) numgen random mod 100 < \(percent) drop; }
                }
                """)
        }
    }

    private func apply(on node: TestNode, _ rules: String) throws {
        let path = node.instance.runDirectory + "/loss.nft"
        FileManager.default.createFile(atPath: path, contents: Data(rules.utf8))
        let r = try node.sh("/usr/sbin/nft", ["-f", path])
        XCTAssertEqual(r.status, 0, r.output)
    }

    private func field(_ text: String, after word: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let i = parts.firstIndex(where: { $0 == word }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// Sends `bytes` in 1000-byte messages with `qos` from a to a sink on b.
    private func transfer(qos: String, bytes: Int, name: String) throws -> (source: String, sink: String) {
        // Without retransmission not everything arrives: the sink stops after 3 s of silence.
        let sink = try b.spawn("FlowProbe", ["sink", "0", String(bytes)] + (qos == "data" ? [] : ["3000"]))
        XCTAssertTrue(b.instance.waitForOutput(sink, "ready"), b.instance.output(of: sink))
        XCTAssertEqual(try b.irm("bind process \(sink.processIdentifier) name \(name)").status, 0)
        XCTAssertEqual(try b.irm("name register \(name) layer \(layer)").status, 0)
        XCTAssertEqual(try a.irm("name create \(name)").status, 0)
        if layer == "udp" { try a.addUDPName(name, address: link.bIPv4) }
        let r = try a.run("FlowProbe", ["source", name, qos, String(bytes), "1000"])
        XCTAssertTrue(b.instance.waitForOutput(sink, "received", seconds: 60), b.instance.output(of: sink) + r.output)
        return (r.output, b.instance.output(of: sink))
    }

    /// Sends `bytes` with qos_data: everything arrives in order, once, with
    /// the source's checksum, and deallocation completes; with `dropped`,
    /// the loss rule must have caused over 1000 retransmissions.
    private func assertReliableTransfer(bytes: Int, name: String, dropped: Bool = false,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let (source, sink) = try transfer(qos: "data", bytes: bytes, name: name)
        XCTAssertTrue(source.contains("dealloc ok"), source, file: file, line: line)
        XCTAssertEqual(field(sink, after: "messages"), String(bytes), sink, file: file, line: line)
        XCTAssertEqual(field(sink, after: "gaps"), "0", sink, file: file, line: line)
        XCTAssertEqual(field(sink, after: "checksum"), field(source, after: "checksum"), sink + source, file: file, line: line)
        if dropped {
            XCTAssertGreaterThan(Int(field(source, after: "retransmitted") ?? "0") ?? 0, 1_000,
                                 "the rule did drop: \(source)", file: file, line: line)
        }
    }

    func testReliableTransferAtTenPercentLoss() throws {
        try bootstrapUDP()
        try lose(10)
        try assertReliableTransfer(bytes: 20_000_000, name: "sink.ten", dropped: true)
    }

    func testReliableTransferAtThirtyPercentLoss() throws {
        try bootstrapUDP()
        try lose(30)
        try assertReliableTransfer(bytes: 2_000_000, name: "sink.thirty")
    }

    func testReliableTransferOverEthDIXAtTenPercentLoss() throws {
        try bootstrapEthDIX()
        try lose(10)
        try assertReliableTransfer(bytes: 20_000_000, name: "sink.eth", dropped: true)
    }

    func testBestEffortStaysInOrderUnderLoss() throws {
        try bootstrapUDP()
        try lose(10)
        let (_, sink) = try transfer(qos: "best", bytes: 1_000_000, name: "sink.best")
        XCTAssertTrue(sink.contains("received"), sink)
        XCTAssertFalse(sink.contains("bad message"), "what arrives is in order, once: \(sink)")
    }
}
