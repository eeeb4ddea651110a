import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// flow_join in one instance (spec host.md §3.7.4): the errors, and a
/// broadcast layer with one member IPCP delivering between local members.
final class BroadcastJoinTests: NodeTestCase {
    private func irm(_ line: String, file: StaticString = #filePath, number: UInt = #line) throws {
        let r = try node.irm(line)
        XCTAssertEqual(r.status, 0, "irm \(line)\n\(r.output)\n\(node.irmdLog)", file: file, line: number)
    }

    func testJoiningALayerNoIPCPIsInFailsWithEIPCP() throws {
        let r = try node.run("FlowProbe", ["join", "no.such.layer"])
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "error \(OuroError.ipcp.code)", r.output)
        let obc = try node.run("obc", ["-n", "no.such.layer", "-m", "hi"])
        XCTAssertEqual(obc.output, "Failed to join broadcast.\n")
        XCTAssertEqual(obc.status, 255)
    }

    /// The IPCP of the layer refuses (a local IPCP does not join): irmd answers ENOTALLOC.
    func testARefusedJoinFailsWithENOTALLOC() throws {
        try irm("ipcp bootstrap type local name lo layer lo.layer")
        let r = try node.run("FlowProbe", ["join", "lo.layer"])
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "error \(OuroError.notAllocated.code)",
                       r.output + node.irmdLog)
        XCTAssertTrue(node.irmdLog.contains("Flow join with layer lo.layer failed."), node.irmdLog)
    }

    func testMembersOnOneNodeHearEachOther() throws {
        try irm("ipcp bootstrap type broadcast name bc layer bc.layer")
        let list = try node.irm("ipcp list")
        XCTAssertTrue(list.output.contains("broadcast"), list.output)
        let reader = try node.spawn("obc", ["-l", "-n", "bc.layer"])
        XCTAssertTrue(node.waitForOutput(reader, "Starting a reader.\nNew flow.\n"), node.output(of: reader) + node.irmdLog)
        let writer = try node.run("obc", ["-n", "bc.layer", "-m", "hello"])
        XCTAssertEqual(writer.status, 0, writer.output)
        XCTAssertEqual(writer.output, "")
        XCTAssertTrue(node.waitForOutput(reader, "Message is hello.\n"), node.output(of: reader) + node.irmdLog)
        let plain = try node.run("obc", ["-n", "bc.layer"])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(node.waitForOutput(reader, "Message is Ouroboros multicast rocks!.\n"), node.output(of: reader))
        // The writers' flows are gone from the IPCP again.
        XCTAssertTrue(eventually(10) { node.irmdLog.components(separatedBy: "Completed deallocation of flow_id").count == 3 },
                      node.irmdLog)
    }
}

/// A broadcast layer over eth-dix on three nodes in a line A—B—C (ipcps.md
/// §7): bB enrolls through bA and bC through bB, each link gets a Data
/// Transfer connection, and what a member on one node writes reaches the
/// members on the others, forwarded by B.
final class BroadcastMultiNodeTests: XCTestCase {
    var bed: Testbed!
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }
    var c: TestNode { bed["c"] }

    override func tearDown() {
        bed?.tearDown()
    }

    private func irm(_ node: TestNode, _ line: String, file: StaticString = #filePath, number: UInt = #line) throws {
        let r = try node.irm(line)
        XCTAssertEqual(r.status, 0, "\(node.name): irm \(line)\n\(r.output)\n\(node.instance.irmdLog)", file: file, line: number)
    }

    /// The line with veths of MTU `mtu`, eth-dix layers ab and bc, and the
    /// broadcast layer "bcast" over them.
    private func start(mtu: Int) throws {
        bed = try Testbed(nodes: ["a", "b", "c"])
        let ab = try bed.link("a", "b", mtu: mtu)
        let bc = try bed.link("b", "c", mtu: mtu)
        for node in bed.nodes {
            try node.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
            try node.startIRMd()
        }
        try irm(a, "ipcp bootstrap type eth-dix name ab.a layer ab dev \(ab.aInterface)")
        try irm(b, "ipcp bootstrap type eth-dix name ab.b layer ab dev \(ab.bInterface)")
        try irm(b, "ipcp bootstrap type eth-dix name bc.b layer bc dev \(bc.aInterface)")
        try irm(c, "ipcp bootstrap type eth-dix name bc.c layer bc dev \(bc.bInterface)")

        try irm(a, "ipcp bootstrap type broadcast name bA layer bcast autobind")
        try irm(a, "name register bA layer ab")
        try irm(b, "name create bA")
        try irm(b, "ipcp enroll name bB dst bA type broadcast autobind")
        try irm(b, "name register bB layer ab")
        try irm(b, "name register bB layer bc")
        try irm(b, "ipcp connect name bB dst bA comp dt")
        try irm(c, "name create bB")
        try irm(c, "ipcp enroll name bC dst bB type broadcast autobind")
        try irm(c, "name register bC layer bc")
        try irm(c, "ipcp connect name bC dst bB comp dt")
        for node in bed.nodes {
            let list = try node.irm("ipcp list")
            XCTAssertTrue(list.output.contains("bcast"), "\(node.name):\n\(list.output)")
        }
    }

    private var logs: String {
        bed.nodes.map { "\($0.name):\n\($0.instance.irmdLog)" }.joined(separator: "\n")
    }

    func testMessageFromTheMiddleReachesBothEnds() throws {
        try start(mtu: 1500)
        // The unicast connect's default (Management first) fails: there is no such component.
        XCTAssertNotEqual(try c.irm("ipcp connect name bC dst bB").status, 0)
        let readers = try [a, c].map { node in (node, try node.spawn("obc", ["-l", "-n", "bcast"])) }
        for (node, reader) in readers {
            XCTAssertTrue(node.instance.waitForOutput(reader, "New flow.\n"), node.instance.output(of: reader) + logs)
        }
        let w = try b.run("obc", ["-n", "bcast", "-m", "hello"])
        XCTAssertEqual(w.status, 0, w.output)
        for (node, reader) in readers {
            XCTAssertTrue(node.instance.waitForOutput(reader, "Message is hello.\n"),
                          "\(node.name): \(node.instance.output(of: reader))\n" + logs)
        }
        // From one end, through B to the other end, to B's member and to the other member on A.
        let middle = try b.spawn("obc", ["-l", "-n", "bcast"])
        XCTAssertTrue(b.instance.waitForOutput(middle, "New flow.\n"))
        XCTAssertEqual(try a.run("obc", ["-n", "bcast", "-m", "from A"]).status, 0)
        XCTAssertTrue(c.instance.waitForOutput(readers[1].1, "Message is from A.\n"), c.instance.output(of: readers[1].1) + logs)
        XCTAssertTrue(b.instance.waitForOutput(middle, "Message is from A.\n"), b.instance.output(of: middle))
        XCTAssertTrue(a.instance.waitForOutput(readers[0].1, "Message is from A.\n"), "the other member on the writer's node")
        XCTAssertEqual(a.instance.output(of: readers[0].1).components(separatedBy: "from A").count, 2, "exactly once")
    }

    /// Packets above the reference's 1400-byte pieces travel whole: the
    /// largest SDU a 9000-byte MTU eth-dix layer carries (9000 - 4 bytes).
    func testLargeMessagesArriveWhole() throws {
        try start(mtu: 9000)
        let size = 8996
        let readers = try [a, c].map { node in (node, try node.spawn("FlowProbe", ["join-read", "bcast"])) }
        for (node, reader) in readers {
            XCTAssertTrue(node.instance.waitForOutput(reader, "joined\n"), node.instance.output(of: reader) + logs)
        }
        let w = try b.run("FlowProbe", ["join-write", "bcast", String(size)])
        XCTAssertEqual(w.status, 0, w.output)
        let checksum = try XCTUnwrap(w.output.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        for (node, reader) in readers {
            XCTAssertTrue(node.instance.waitForOutput(reader, "message \(size) bytes checksum \(checksum)\n"),
                          "\(node.name): \(node.instance.output(of: reader))\n" + logs)
            XCTAssertEqual(node.instance.output(of: reader).components(separatedBy: "message ").count, 2, "one message, not pieces")
        }
    }
}
