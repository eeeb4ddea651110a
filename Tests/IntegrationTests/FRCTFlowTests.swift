import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// FRCT flows between real processes on one host (FlowProbe), directly and
/// through ipcpd-local: reliable transfer with a checksum, a one-way flow
/// without retransmission, a reader that stops, a peer that dies.
final class FRCTFlowTests: XCTestCase {
    var node: TestInstance!

    override func setUpWithError() throws {
        node = try TestInstance()
        try node.startIRMd()
    }

    override func tearDown() {
        node?.tearDown()
    }

    /// Starts a sink bound to `name` (reading after `delayMs`).
    private func sink(_ name: String, delayMs: Int = 0) throws -> Process {
        let p = try node.spawn("FlowProbe", ["sink", String(delayMs)])
        XCTAssertTrue(node.waitForOutput(p, "ready"), node.output(of: p))
        XCTAssertEqual(try node.irm("bind process \(p.processIdentifier) name \(name)").status, 0)
        return p
    }

    private func field(_ text: String, after word: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let i = parts.firstIndex(where: { $0 == word }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// Sends `bytes` with `qos` and checks the sink got all of it in order.
    private func transfer(_ name: String, qos: String, bytes: Int) throws {
        let s = try sink(name)
        let r = try node.run("FlowProbe", ["source", name, qos, String(bytes), "1000"], timeout: 120)
        XCTAssertTrue(r.output.contains("dealloc ok"), r.output)
        XCTAssertTrue(node.waitForOutput(s, "received", seconds: 20), node.output(of: s))
        let got = node.output(of: s)
        XCTAssertEqual(field(got, after: "messages"), String(bytes), got)
        XCTAssertEqual(field(got, after: "gaps"), "0", got)
        XCTAssertEqual(field(got, after: "checksum"), field(r.output, after: "checksum"), got + r.output)
        XCTAssertEqual(field(got, after: "end"), String(OuroError.flowDown.code), "ends when the source deallocates")
    }

    func testReliableTransferDirect() throws {
        try transfer("sink", qos: "data", bytes: 20_000_000)
    }

    func testReliableTransferThroughTheLocalIPCP() throws {
        node.stop()
        try node.startIRMd(directIPC: false)
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
        XCTAssertEqual(try node.irm("reg name sink.lo layer lo").status, 0)
        try transfer("sink.lo", qos: "data", bytes: 5_000_000)
    }

    /// Without retransmission, a one-way flow goes on past its first window
    /// (the reference stalls after 64 packets) and stays in order.
    func testOneWayBestEffortDoesNotStall() throws {
        try transfer("sink", qos: "best", bytes: 2_000_000)
    }

    /// A sink that reads only after 1.5 s holds a non-blocking writer back
    /// with EAGAIN within the window, and lets it go on once it reads.
    func testReaderThatStopsHoldsANonBlockingWriter() throws {
        let s = try sink("slow", delayMs: 1500)
        let r = try node.run("FlowProbe", ["stall", "slow", "data", "nonblock"], timeout: 60)
        let held = Int(field(r.output, after: "after") ?? "") ?? -1
        XCTAssertTrue(held >= 64 && held <= 256, "held back within the window: \(r.output)")
        XCTAssertTrue(r.output.contains("resumed, wrote 2000"), r.output)
        XCTAssertTrue(node.waitForOutput(s, "received 2000 messages"), node.output(of: s))
    }

    func testReaderThatStopsBlocksABlockingWriter() throws {
        let s = try sink("slow", delayMs: 1500)
        let r = try node.run("FlowProbe", ["stall", "slow", "best", "block"], timeout: 60)
        XCTAssertTrue(r.output.contains("held after"), r.output)
        XCTAssertTrue(r.output.contains("resumed, wrote 2000"), r.output)
        XCTAssertTrue(node.waitForOutput(s, "received 2000 messages"), node.output(of: s))
    }

    /// The sink killed mid-transfer: the source's write fails with EFLOWDOWN
    /// within a few seconds instead of hanging.
    func testPeerKilledMidTransfer() throws {
        let s = try sink("victim", delayMs: 0)
        let source = try node.spawn("FlowProbe", ["source", "victim", "data", "2000000000", "1000"])
        XCTAssertTrue(node.waitForOutput(source, "progress"), node.output(of: source))
        kill(s.processIdentifier, SIGKILL)
        let killed = Deadline.now
        XCTAssertTrue(node.waitForOutput(source, "write error", seconds: 10), node.output(of: source))
        XCTAssertLessThan(Deadline.now.nanoseconds - killed.nanoseconds, 5_000_000_000)
        let out = node.output(of: source)
        XCTAssertTrue(out.contains("write error \(OuroError.flowDown.code)") || out.contains("write error \(OuroError.flowPeer.code)"), out)
    }
}
