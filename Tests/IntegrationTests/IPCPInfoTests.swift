import DevKit
import Foundation
import XCTest

/// `irm ipcp info` on a two-node unicast layer A—B over eth-dix: the LSDB
/// names the neighbour, the forwarding table has a next hop for it, the DHT
/// holds a registered name's hash and knows the peer, and the N-1 flow counters grow with an
/// oping; a shim answers with what it has.
final class IPCPInfoTests: XCTestCase {
    var bed: Testbed!
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }

    override func tearDown() {
        bed?.tearDown()
    }

    private func irm(_ node: TestNode, _ line: String, file: StaticString = #filePath, number: UInt = #line) throws -> String {
        let r = try node.irm(line)
        XCTAssertEqual(r.status, 0, "\(node.name): irm \(line)\n\(r.output)\n\(node.instance.irmdLog)", file: file, line: number)
        return r.output
    }

    /// The packets sent on every N-1 flow of the `/dt` section `text`.
    private func sentPackets(_ text: String) -> Int {
        text.split(separator: "\n").compactMap { line -> Int? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("sent: ") else { return nil }
            return Int(t.dropFirst(6).prefix { $0.isNumber })
        }.reduce(0, +)
    }

    private func ping(_ name: String, count: Int) -> CommandResult {
        var r = CommandResult(status: 1, output: "")
        let answered = eventually(30) {
            r = (try? a.run("oping", ["-n", name, "-c", String(count), "-i", "10"])) ?? r
            return r.output.contains("\(count) packets transmitted, \(count) received")
        }
        XCTAssertTrue(answered, r.output + "\nA:\n" + a.instance.irmdLog + "\nB:\n" + b.instance.irmdLog)
        return r
    }

    func testUnicastSectionsOverTwoNodes() throws {
        bed = try Testbed(nodes: ["a", "b"])
        let ab = try bed.link("a", "b")
        for node in bed.nodes {
            try node.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
            try node.startIRMd()
        }
        _ = try irm(a, "ipcp bootstrap type eth-dix name ab.a layer ab dev \(ab.aInterface)")
        _ = try irm(b, "ipcp bootstrap type eth-dix name ab.b layer ab dev \(ab.bInterface)")
        _ = try irm(a, "ipcp bootstrap type unicast name uA layer uni autobind")
        _ = try irm(a, "name register uA layer ab")
        _ = try irm(b, "name create uA")
        _ = try irm(b, "ipcp enroll name uB dst uA autobind")
        _ = try irm(b, "name register uB layer ab")
        _ = try irm(b, "ipcp connect name uB dst uA")
        _ = try irm(b, "bind program \(buildDirectory)/oping name p.B auto -- -l")
        _ = try irm(b, "name register p.B layer uni")
        _ = try irm(a, "name create p.B")
        _ = ping("p.B", count: 5)

        // Each IPCP's address heads its /dt section.
        func address(_ node: TestNode, _ ipcp: String) throws -> String {
            let first = try irm(node, "ipcp info name \(ipcp) dt").split(separator: "\n").first ?? ""
            XCTAssertTrue(first.hasPrefix("/dt."), String(first))
            return String(first.dropFirst(4).prefix { $0 != ":" })
        }
        let addressA = try address(a, "uA")
        let addressB = try address(b, "uB")

        let lsdb = try irm(a, "ipcp info name uA lsdb")
        XCTAssertTrue(lsdb.contains("  .dt \(addressB): fd "), lsdb)
        XCTAssertTrue(lsdb.contains("  .mgmt \(addressB): fd "), lsdb)
        XCTAssertTrue(lsdb.contains("  \(addressA)--\(addressB)\n    seqno: "), lsdb)
        XCTAssertTrue(lsdb.contains("  \(addressB)--\(addressA)\n"), lsdb)

        let pff = try irm(a, "ipcp info name uA pff")
        XCTAssertTrue(pff.contains("  qos 0\n    \(addressB): via \(addressB) (fd "), pff)

        let key = HashAlgorithm.sha3_256.digest(name: "p.B").map { String(format: "%02x", $0) }.joined()
        let dhtB = try irm(b, "ipcp info name uB dht")
        XCTAssertTrue(dhtB.contains("    \(key)\n      \(addressB): local, "), dhtB)
        // Whether B's first publication reached A depends on B's DHT having
        // joined by then (else A learns it at the next replication): only
        // the contact is certain.
        let dhtA = try irm(a, "ipcp info name uA dht")
        XCTAssertTrue(dhtA.contains("  contacts\n    ") && dhtA.contains(": \(addressB)\n"), dhtA)

        let before = sentPackets(try irm(a, "ipcp info name uA dt"))
        _ = ping("p.B", count: 20)
        let dt = try irm(a, "ipcp info name uA dt")
        XCTAssertGreaterThanOrEqual(sentPackets(dt), before + 20, dt)
        XCTAssertTrue(dt.contains("    endpoint: \(addressB)\n"), dt)

        // Everything at once, in section order.
        let all = try irm(a, "ipcp info name uA")
        let heads = all.split(separator: "\n").filter { $0.hasPrefix("/") }.map { $0.prefix { $0 != ":" } }
        XCTAssertEqual(heads, ["/info", "/lsdb", "/pff", "/dht", "/flow-allocator", "/dt.\(addressA)"], all)
        XCTAssertTrue(all.contains("  _state: operational\n  _layer: uni\n"), all)

        // A shim keeps flows but no routing state.
        let shim = try irm(a, "ipcp info name ab.a")
        XCTAssertTrue(shim.hasPrefix("/info\n  _name: ab.a\n  _type: eth-dix\n"), shim)
        XCTAssertTrue(shim.contains("\n/flows\n"), shim)
        let unsupported = try a.irm("ipcp info name ab.a lsdb")
        XCTAssertEqual(unsupported.status, 1)
        XCTAssertEqual(unsupported.output, "/lsdb: not supported by IPCP ab.a.\n")
    }
}
