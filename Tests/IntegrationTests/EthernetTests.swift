import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Two testbed nodes joined by one veth pair, each with its irmd running.
private struct EthernetPair {
    let bed: Testbed
    let link: TestLink
    var a: TestNode { bed["a"] }
    var b: TestNode { bed["b"] }

    init() throws {
        bed = try Testbed(nodes: ["a", "b"])
        do {
            link = try bed.link("a", "b")
            for node in [bed["a"], bed["b"]] {
                // Keeps the link quiet: no IPv6 neighbour discovery or router solicitations.
                try node.sh("/usr/sbin/sysctl", ["-qw", "net.ipv6.conf.all.disable_ipv6=1"])
                try node.startIRMd()
            }
        } catch {
            bed.tearDown()
            throw error
        }
    }

    /// Bootstraps an Ethernet IPCP of `type` on both nodes in `layer`.
    func bootstrap(_ type: String, layer: String, options: String = "") throws {
        for (node, dev) in [(a, link.aInterface), (b, link.bInterface)] {
            let r = try node.irm("ipcp bootstrap type \(type) name \(layer).\(node.name) layer \(layer) dev \(dev)\(options)")
            XCTAssertEqual(r.status, 0, r.output + node.instance.irmdLog)
        }
    }

    /// A server program auto-started on b for `name`, registered in `layer`,
    /// and the name known on a.
    func serve(_ tool: String, name: String, layer: String) throws {
        XCTAssertEqual(try b.irm("bind program \(buildDirectory)/\(tool) name \(name) auto -- -l").status, 0)
        XCTAssertEqual(try b.irm("reg name \(name) layer \(layer)").status, 0)
        XCTAssertEqual(try a.irm("name create \(name)").status, 0)
    }

    /// Sends raw frames out of `dev` in `node` (Python, AF_PACKET).
    func inject(_ frames: [[UInt8]], from node: TestNode, dev: String) throws {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((sys.argv[1], 0))
            for h in sys.argv[2:]:
                s.send(bytes.fromhex(h))
            """
        let hex = frames.map { $0.map { String(format: "%02x", $0) }.joined() }
        let r = try node.sh("/usr/bin/python3", ["-c", script, dev] + hex)
        XCTAssertEqual(r.status, 0, r.output)
    }

    /// Starts capturing on `dev` in `node` every frame that `keep` (a Python
    /// expression over the bytes `f`) accepts, until `count` were seen or 15 s
    /// passed; each line of the output is `<pkttype> <hex>` (4 = sent by us).
    func capture(on node: TestNode, dev: String, keep: String, count: Int) throws -> Capture {
        let script = """
            import socket, sys, time
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.bind((sys.argv[1], 0))
            s.settimeout(0.2)
            print("capturing", flush=True)
            seen, end = 0, time.time() + 15
            while seen < \(count) and time.time() < end:
                try:
                    f, addr = s.recvfrom(65536)
                except socket.timeout:
                    continue
                if \(keep):
                    print(addr[2], f.hex(), flush=True)
                    seen += 1
            """
        // Started here rather than with `spawn` (which names its log after the
        // tool); the testbed kills it with the namespace at the latest.
        let capture = Capture(path: node.instance.runDirectory + "/capture.\(dev).txt")
        FileManager.default.createFile(atPath: capture.path, contents: nil)
        capture.process.executableURL = URL(fileURLWithPath: Testbed.ip)
        capture.process.arguments = ["netns", "exec", node.namespace, "/usr/bin/python3", "-c", script, dev]
        capture.process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: capture.path))
        try capture.process.run()
        XCTAssertTrue(eventually(5) { capture.lines.first == "capturing" })
        return capture
    }

    /// The MAC address of `dev` in `node`, as six bytes.
    func mac(_ node: TestNode, _ dev: String) throws -> [UInt8] {
        let text = try node.sh("/bin/cat", ["/sys/class/net/\(dev)/address"]).output
        // The output may carry `ip netns exec` warnings: the address is the line with six hex fields.
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":").compactMap { UInt8($0, radix: 16) }
            if fields.count == 6 { return fields }
        }
        throw TestbedError(message: "no MAC address for \(dev): \(text)")
    }
}

/// Frames captured by `EthernetPair.capture`.
private final class Capture {
    let path: String
    let process = Process()

    init(path: String) { self.path = path }

    /// What the capture printed so far.
    var lines: [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits for the capture to end and returns the frames: sent by the node or not, and bytes.
    func frames() -> [(sent: Bool, bytes: [UInt8])] {
        _ = eventually(15) { !process.isRunning }
        return lines.dropFirst().compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            var bytes: [UInt8] = []
            var it = parts[1].makeIterator()
            while let a = it.next(), let b = it.next() { bytes.append(UInt8(String([a, b]), radix: 16)!) }
            return (parts[0] == "4", bytes)
        }
    }
}

/// The packet counts of an oping or operf summary line.
private func transmittedAndReceived(_ output: String) -> (Int, Int)? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("packets transmitted") }) else { return nil }
    let words = line.split(separator: " ")
    guard let sent = Int(words[0]), let i = words.firstIndex(of: "received,"), let received = Int(words[i - 1]) else {
        return nil
    }
    return (sent, received)
}

/// ipcpd-eth-dix and ipcpd-eth-llc between two nodes (issue 6).
final class EthernetTests: XCTestCase {
    private func pingAndPerf(type: String, layer: String) throws {
        let pair = try EthernetPair()
        defer { pair.bed.tearDown() }
        try pair.bootstrap(type, layer: layer)
        try pair.serve("oping", name: "oping.\(layer)", layer: layer)
        try pair.serve("operf", name: "operf.\(layer)", layer: layer)

        let ping = try pair.a.run("oping", ["-n", "oping.\(layer)", "-c", "20", "-i", "10"])
        XCTAssertTrue(ping.output.contains("20 packets transmitted, 20 received"), ping.output + pair.a.instance.irmdLog)

        let perf = try pair.a.run("operf", ["-n", "operf.\(layer)", "-s", "1400", "-d", "1000", "-r", "20M", "-t", "bi"])
        let counts = transmittedAndReceived(perf.output)
        XCTAssertNotNil(counts, perf.output)
        if let (sent, received) = counts {
            XCTAssertGreaterThan(sent, 1000, perf.output)
            XCTAssertGreaterThanOrEqual(received * 10, sent * 9, perf.output)
        }
    }

    func testDIXPingAndPerfAcrossAVethPair() throws {
        try pingAndPerf(type: "eth-dix", layer: "dix")
    }

    /// A packet larger than the MTU is not handed to the kernel to vanish: the
    /// IPCP drops it and says so.
    func testPacketsLargerThanTheMTUAreDroppedAndCounted() throws {
        let pair = try EthernetPair()
        defer { pair.bed.tearDown() }
        try pair.bootstrap("eth-dix", layer: "dix")
        try pair.serve("oping", name: "oping.dix", layer: "dix")
        let r = try pair.a.run("oping", ["-n", "oping.dix", "-c", "1", "-s", "8000"])
        XCTAssertTrue(r.output.contains("1 packets transmitted, 0 received"), r.output)
        XCTAssertTrue(pair.a.instance.irmdLog.contains("Dropped packet larger than the layer's MTU: 1 so far."),
                      pair.a.instance.irmdLog)
    }

    func testLLCPingAndPerfAcrossAVethPair() throws {
        try pingAndPerf(type: "eth-llc", layer: "llc")
    }

    /// Two DIX layers on one link: each name is reachable through its own
    /// layer only. Also: a missing device fails bootstrap with a clear line,
    /// and a device going down and up is noticed.
    func testTwoDIXLayersWithDifferentEthertypesStaySeparate() throws {
        let pair = try EthernetPair()
        defer { pair.bed.tearDown() }
        try pair.bootstrap("eth-dix", layer: "one")
        try pair.bootstrap("eth-dix", layer: "two", options: " ethertype 0xA001")
        try pair.serve("oping", name: "name.one", layer: "one")
        try pair.serve("oping", name: "name.two", layer: "two")

        for name in ["name.one", "name.two"] {
            let r = try pair.a.run("oping", ["-n", name, "-c", "3", "-i", "10"])
            XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output + pair.a.instance.irmdLog)
        }
        let log = pair.b.instance.irmdLog
        let one = ipcpPID(named: "one.b", in: try pair.b.irm("ipcp list").output)
        let two = ipcpPID(named: "two.b", in: try pair.b.irm("ipcp list").output)
        XCTAssertNotNil(one)
        XCTAssertNotNil(two)
        // Each IPCP answered exactly one flow request: its own name's.
        for pid in [one, two] {
            let line = String(format: "==%05d== ipcpd-eth(II): Flow reply sent", pid ?? 0)
            XCTAssertEqual(log.components(separatedBy: line).count - 1, 1, log)
        }
        XCTAssertFalse(log.contains("Dropped"), log)

        let missing = try pair.a.irm("ipcp bootstrap type eth-dix name x layer x dev nosuchdev0")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(eventually(5) { pair.a.instance.irmdLog.contains("Device nosuchdev0 does not exist.") },
                      pair.a.instance.irmdLog)

        try pair.a.sh(Testbed.ip, ["link", "set", pair.link.aInterface, "down"])
        XCTAssertTrue(eventually(5) { pair.a.instance.irmdLog.contains("Device \(pair.link.aInterface) went down.") })
        try pair.a.sh(Testbed.ip, ["link", "set", pair.link.aInterface, "up"])
        XCTAssertTrue(eventually(5) { pair.a.instance.irmdLog.contains("Device \(pair.link.aInterface) is up.") })
    }

    /// Runs a 40-packet oping across while `frames(a, b)` (built from a's and
    /// b's MAC addresses) are injected from a towards b; then checks that the
    /// ping lost nothing and that b logged each `expected` drop reason reaching 10.
    private func malformedFrames(type: String, layer: String, expected: [String],
                                 frames: ([UInt8], [UInt8]) -> [[UInt8]]) throws {
        let pair = try EthernetPair()
        defer { pair.bed.tearDown() }
        try pair.bootstrap(type, layer: layer)
        try pair.serve("oping", name: "oping.\(layer)", layer: layer)
        let macA = try pair.mac(pair.a, pair.link.aInterface)
        let macB = try pair.mac(pair.b, pair.link.bInterface)
        let ping = try pair.a.spawn("oping", ["-n", "oping.\(layer)", "-c", "40", "-i", "25"])
        XCTAssertTrue(pair.a.instance.waitForOutput(ping, "seq=2"), pair.a.instance.output(of: ping))
        try pair.inject(frames(macA, macB), from: pair.a, dev: pair.link.aInterface)
        XCTAssertTrue(pair.a.instance.waitForOutput(ping, "40 packets transmitted, 40 received"),
                      pair.a.instance.output(of: ping))
        let log = pair.b.instance.irmdLog
        for reason in expected { XCTAssertTrue(log.contains("Dropped \(reason): 10 so far."), reason + "\n" + log) }
    }

    func testMalformedDIXFramesAreDroppedAndCounted() throws {
        try malformedFrames(type: "eth-dix", layer: "dix", expected: [
            "frame shorter than its header", "length field beyond the frame",
            "frame for an endpoint that is not ours", "malformed management message",
        ]) { a, b in
            let head = b + a + [0xA0, 0x00]
            let short = head + [0x00, 0x01]
            let badLength = head + [0x00, 0x07, 0x03, 0xE8] + [UInt8](repeating: 0x55, count: 10)
            let strangerEid = head + [0x10, 0xE1, 0x00, 0x04] + Array("abcd".utf8)
            let unknownCode = head + [0x00, 0x00, 0x00, 39] + [UInt8](repeating: 0, count: 37) + [0x09, 0x00]
            let shortManagement = head + [0x00, 0x00, 0x00, 10] + [UInt8](repeating: 0, count: 10)
            let strayReply = head + [0x00, 0x00, 0x00, 39, 0x00, 0x05, 0x03, 0xE7]
                + [UInt8](repeating: 0, count: 33) + [0x01, 0x00]
            return [[UInt8]](repeating: short, count: 10) + [[UInt8]](repeating: badLength, count: 10)
                + [[UInt8]](repeating: strangerEid, count: 5) + [[UInt8]](repeating: strayReply, count: 5)
                + [[UInt8]](repeating: unknownCode, count: 5) + [[UInt8]](repeating: shortManagement, count: 5)
        }
    }

    func testMalformedLLCFramesAreDroppedAndCounted() throws {
        try malformedFrames(type: "eth-llc", layer: "llc", expected: [
            "frame shorter than its header", "length field beyond the frame",
            "frame for an endpoint that is not ours", "malformed management message",
        ]) { a, b in
            func frame(_ dsap: UInt8, _ ssap: UInt8, _ payload: [UInt8]) -> [UInt8] {
                b + a + [0x00, UInt8(payload.count + 3), dsap, ssap, 0x03] + payload
            }
            let short = b + a + [0x00, 0x05, 0x40, 0x40]
            let badLength = b + a + [0x01, 0x00, 0x40, 0x40, 0x03] + [UInt8](repeating: 0x55, count: 10)
            let tooShortForLLC = b + a + [0x00, 0x02, 0x40, 0x40, 0x03]
            // Logical SAPs 66 (0x42 reversed is itself), 0, 255 and the free 64 (wire 0x02).
            let unknownSAPs = [0x42, 0x00, 0xFF, 0x02].map { frame($0, 0x40, Array("data".utf8)) }
            let unknownCode = frame(0x80, 0x80, [0, 0, 0x09] + [UInt8](repeating: 0, count: 34))
            return [[UInt8]](repeating: short, count: 10) + [[UInt8]](repeating: badLength, count: 5)
                + [[UInt8]](repeating: tooShortForLLC, count: 5) + (0..<3).flatMap { _ in unknownSAPs }
                + [[UInt8]](repeating: unknownCode, count: 10)
        }
    }

    /// One oping flow allocation as frames on a's link, against ipcps.md §9.4
    /// and the reference's captures: every byte that is not random per run
    /// (endpoint ids, the OAP header's id and timestamp).
    private func captureFlowAllocation(type: String, layer: String, keep: String,
                                       expected: (_ a: [UInt8], _ b: [UInt8], _ digest: [UInt8]) -> [(Bool, [UInt8?])]) throws {
        let pair = try EthernetPair()
        defer { pair.bed.tearDown() }
        try pair.bootstrap(type, layer: layer)
        try pair.serve("oping", name: "oping.\(layer)", layer: layer)
        let macA = try pair.mac(pair.a, pair.link.aInterface)
        let macB = try pair.mac(pair.b, pair.link.bInterface)
        let capture = try pair.capture(on: pair.a, dev: pair.link.aInterface, keep: keep, count: 6)
        let ping = try pair.a.run("oping", ["-n", "oping.\(layer)", "-c", "1"])
        XCTAssertTrue(ping.output.contains("1 packets transmitted, 1 received"), ping.output)
        let frames = capture.frames()
        let wanted = expected(macA, macB, HashAlgorithm.sha3_256.digest(name: "oping.\(layer)"))
        XCTAssertEqual(frames.count, wanted.count, capture.lines.joined(separator: "\n"))
        var endpoints: [String: UInt16] = [:]
        for (i, (frame, want)) in zip(frames, wanted).enumerated() {
            XCTAssertEqual(frame.sent, want.0, "frame \(i) direction")
            XCTAssertGreaterThanOrEqual(frame.bytes.count, want.1.count, "frame \(i)")
            for (j, byte) in want.1.enumerated() where j < frame.bytes.count {
                if let byte { XCTAssertEqual(frame.bytes[j], byte, "frame \(i) byte \(j)") }
            }
            let declared = Int(frame.bytes[12]) << 8 | Int(frame.bytes[13])
            XCTAssertEqual(frame.bytes.count, type == "eth-dix"
                ? 18 + (Int(frame.bytes[16]) << 8 | Int(frame.bytes[17])) : 14 + declared, "frame \(i) length")
            if type == "eth-dix" {
                // The requester's endpoint (FLOW_REQ seid) comes back as FLOW_REPLY deid
                // and as the eid of the reply data; the responder's seid is the eid of the request data.
                func field(_ at: Int) -> UInt16 { UInt16(frame.bytes[at]) << 8 | UInt16(frame.bytes[at + 1]) }
                switch i {
                case 2: endpoints["a"] = field(18)
                case 3:
                    endpoints["b"] = field(18)
                    XCTAssertEqual(field(20), endpoints["a"])
                case 4: XCTAssertEqual(field(14), endpoints["b"])
                case 5: XCTAssertEqual(field(14), endpoints["a"])
                default: break
                }
            }
        }
    }

    func testCapturedDIXFlowAllocationMatchesTheSpec() throws {
        let rawQoS: [UInt8] = [0, 0, 0, 1] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 1]
            + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0xD4, 0xC0] + [0, 0, 0, 0]
        try captureFlowAllocation(type: "eth-dix", layer: "dix", keep: "f[12:14] == b'\\xa0\\x00'", expected: { a, b, d in
            let toB: [UInt8?] = b + a + [0xA0, 0x00]
            let toA: [UInt8?] = a + b + [0xA0, 0x00]
            let broadcast: [UInt8?] = [UInt8](repeating: 0xFF, count: 6) + a + [0xA0, 0x00]
            let zeros = { (n: Int) -> [UInt8?] in [UInt8?](repeating: 0, count: n) }
            return [
                (true, broadcast + [0, 0, 0, 0x47] + zeros(37) + [2, 0] + d),
                (false, toA + [0, 0, 0, 0x47] + zeros(37) + [3, 0] + d),
                (true, toB + [0, 0, nil, nil, nil, nil, 0, 0] + rawQoS + [0, 0, 0] + d),
                (false, toA + [0, 0, nil, nil, nil, nil, nil, nil] + zeros(32) + [0, 1, 0]),
                (true, toB + [nil, nil, 0x00, 0x40]),
                (false, toA + [nil, nil, 0x00, 0x40]),
            ]
        })
    }

    func testCapturedLLCFlowAllocationMatchesTheSpec() throws {
        let rawQoS: [UInt8] = [0, 0, 0, 1] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 1]
            + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0xD4, 0xC0] + [0, 0, 0, 0]
        try captureFlowAllocation(type: "eth-llc", layer: "llc",
                                  keep: "(f[12] << 8 | f[13]) <= 0x5ff and len(f) > 16 and f[16] == 3", expected: { a, b, d in
            let zeros = { (n: Int) -> [UInt8?] in [UInt8?](repeating: 0, count: n) }
            let management: [UInt8?] = [0x80, 0x80, 0x03]
            return [
                (true, [UInt8](repeating: 0xFF, count: 6) + a + [0x00, 0x48] + management + [0, 0, 2, 0] + zeros(33) + d),
                (false, a + b + [0x00, 0x48] + management + [0, 0, 3, 0] + zeros(33) + d),
                (true, b + a + [nil, nil] + management + [2, 0, 0, 0] + rawQoS + [0] + d),
                (false, a + b + [nil, nil] + management + [2, 2, 1, 0] + zeros(33)),
                (true, b + a + [0x00, 0x43, 0x40, 0x40, 0x03]),
                (false, a + b + [0x00, 0x43, 0x40, 0x40, 0x03]),
            ]
        })
    }

    private func ipcpPID(named name: String, in list: String) -> Int32? {
        for line in list.split(separator: "\n") where line.contains(" \(name) ") || line.hasSuffix(" \(name)") {
            if let pid = line.split(whereSeparator: { $0 == " " || $0 == "|" }).compactMap({ Int32($0) }).first {
                return pid
            }
        }
        return nil
    }
}
