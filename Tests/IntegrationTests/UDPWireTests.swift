import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Our udp4 IPCP against a peer that speaks the reference's datagrams as
/// captured in the shared vectors (udp4.txt), played by a Python script: the
/// exact FLOW_REQ / FLOW_REPLY layouts, the endpoint ids each side uses, and
/// oping's SDUs carried behind the 4-byte eid in both directions.
final class UDPWireTests: XCTestCase {
    var bed: Testbed!
    var link: TestLink!

    override func setUpWithError() throws {
        bed = try Testbed(nodes: ["a", "b"])
        link = try bed.link("a", "b")
    }

    override func tearDown() {
        bed?.tearDown()
    }

    /// Python helpers: the raw QoS block of a FLOW_REQ and an OAP header
    /// without credentials (36 bytes, plus the SHA-384 of the request in a response).
    private static let prelude = """
        import hashlib, os, socket, struct, sys, time
        RAW_QOS = struct.pack(">QIIIII", 0, 0xffffffff, 1, 1, 0xffffffff, 120000)
        def oap_request():
            return os.urandom(16) + struct.pack(">Q", time.time_ns()) + bytes(12)
        def oap_response(req):
            return req[:16] + struct.pack(">Q", time.time_ns()) + bytes(12) + hashlib.sha384(req).digest()
        def check(cond, what):
            if not cond:
                print("BAD", what, flush=True); sys.exit(1)

        """

    /// Our IPCP as the requester: its FLOW_REQ must have the reference's
    /// layout, and a reference-style FLOW_REPLY and echoed data must work.
    func testRequesterAgainstAReferenceStylePeer() throws {
        let a = bed["a"]
        try a.startIRMd(directIPC: false)
        XCTAssertEqual(try a.irm("ipcp bootstrap type udp4 name ua layer udp ip \(link.aIPv4)").status, 0)
        XCTAssertEqual(try a.irm("name create peer.ping").status, 0)
        try a.addUDPName("peer.ping", address: link.bIPv4)
        let md5 = HashAlgorithm.md5.digest(name: "peer.ping").map { String(format: "%02x", $0) }.joined()
        let peer = try bed["b"].instance.spawn("/usr/bin/python3", ["-c", Self.prelude + """
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("\(link.bIPv4)", 3435))
            s.settimeout(15)
            print("READY", flush=True)
            req, src = s.recvfrom(65536)
            check(src == ("\(link.aIPv4)", 3435), "source %r" % (src,))
            check(len(req) == 47 + 16 + 36, "FLOW_REQ length %d" % len(req))
            eid, s_eid, d_eid, response = struct.unpack(">IIIi", req[:16])
            check((eid, d_eid, response) == (0, 0, 0) and s_eid != 0, "FLOW_REQ eids %r" % ((eid, s_eid, d_eid, response),))
            check(req[16:44] == RAW_QOS and req[44:47] == b"\\x01\\x00\\x00", "FLOW_REQ QoS/code " + req[16:47].hex())
            check(req[47:63].hex() == "\(md5)", "digest " + req[47:63].hex())
            reply = struct.pack(">IIIi", 0, s_eid, 77, 0) + bytes(28) + b"\\x02\\x00\\x00" + oap_response(req[63:])
            s.sendto(reply, src)
            for n in range(5):
                data, frm = s.recvfrom(65536)
                check(frm == src and data[:4] == struct.pack(">I", 77), "data header " + data[:8].hex())
                check(len(data) == 4 + 64 and data[4:8] == bytes(4), "oping request " + data[:12].hex())
                s.sendto(struct.pack(">I", s_eid) + struct.pack(">I", 1) + data[8:], src)
            print("ECHOED", n + 1, flush=True)
            """])
        XCTAssertTrue(bed["b"].instance.waitForOutput(peer, "READY"), bed["b"].instance.output(of: peer))
        let r = try a.run("oping", ["-n", "peer.ping", "-c", "5", "-i", "10"])
        XCTAssertTrue(r.output.contains("5 packets transmitted, 5 received"), r.output + bed["b"].instance.output(of: peer) + a.instance.irmdLog)
        XCTAssertTrue(bed["b"].instance.waitForOutput(peer, "ECHOED 5"), bed["b"].instance.output(of: peer))
    }

    /// Our IPCP as the responder: a reference-style FLOW_REQ gets a FLOW_REPLY
    /// of the reference's layout (requester eid echoed in s_eid, QoS zero,
    /// the OAP response behind it) and oping requests are answered.
    func testResponderAgainstAReferenceStylePeer() throws {
        let b = bed["b"]
        try b.startIRMd(directIPC: false)
        XCTAssertEqual(try b.irm("ipcp bootstrap type udp4 name ub layer udp ip \(link.bIPv4)").status, 0)
        let server = try b.spawn("oping", ["-l"])
        XCTAssertTrue(eventually(10) { b.instance.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try b.irm("bind process \(server.processIdentifier) name peer.ping").status, 0)
        XCTAssertEqual(try b.irm("name register peer.ping layer udp").status, 0)
        let md5 = HashAlgorithm.md5.digest(name: "peer.ping").map { String(format: "%02x", $0) }.joined()
        let r = try bed["a"].sh("/usr/bin/python3", ["-c", Self.prelude + """
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("\(link.aIPv4)", 4000))
            s.settimeout(10)
            dst = ("\(link.bIPv4)", 3435)
            oap = oap_request()
            s.sendto(struct.pack(">IIIi", 0, 66, 0, 0) + RAW_QOS + b"\\x01\\x00\\x00" + bytes.fromhex("\(md5)") + oap, dst)
            rep, frm = s.recvfrom(65536)
            check(frm == dst, "reply source %r" % (frm,))
            check(len(rep) == 47 + 84, "FLOW_REPLY length %d" % len(rep))
            eid, s_eid, d_eid, response = struct.unpack(">IIIi", rep[:16])
            check((eid, s_eid, response) == (0, 66, 0) and d_eid != 0, "FLOW_REPLY eids %r" % ((eid, s_eid, d_eid, response),))
            check(rep[16:44] == bytes(28) and rep[44:47] == b"\\x02\\x00\\x00", "FLOW_REPLY QoS/code " + rep[16:47].hex())
            check(rep[47:63] == oap[:16] and rep[83:] == hashlib.sha384(oap).digest(), "OAP response " + rep[47:].hex())
            for n in range(5):
                ping = struct.pack(">II", 0, n) + struct.pack("<QQ", 1, n) + bytes(40)
                s.sendto(struct.pack(">I", d_eid) + ping, dst)
                data, frm = s.recvfrom(65536)
                check(frm == dst and data[:4] == struct.pack(">I", 66), "data header " + data[:8].hex())
                check(data[4:8] == struct.pack(">I", 1) and data[8:] == ping[4:], "oping reply " + data[4:16].hex())
            print("PINGED", n + 1)
            """])
        XCTAssertEqual(r.status, 0, r.output + b.instance.irmdLog)
        XCTAssertTrue(r.output.contains("PINGED 5"), r.output + b.instance.irmdLog)
    }
}
