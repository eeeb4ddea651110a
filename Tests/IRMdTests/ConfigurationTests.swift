import DevKit
import XCTest
@testable import IRMd

final class ConfigurationTests: XCTestCase {
    private func parse(_ text: String) throws -> IRMdConfiguration {
        try IRMdConfiguration(parsing: text, file: "irmd.conf", realPath: { $0.hasPrefix("/missing") ? nil : $0 })
    }

    func testReferenceStyleFile() throws {
        let c = try parse("""
            # comment
            [name.oping]
            prog=["/usr/bin/oping"] # bound
            args=["--listen"]
            lb="round-robin"

            [name."oping.secure"]
            prog = [ "/usr/bin/oping",
                     "/usr/bin/oecho" ]
            args = ["-l -i 10"]
            server_crt_file = "/etc/crt.pem"

            [local.local1]
            bootstrap="local1"
            hash="SHA3_224"
            reg=["bc1", "LAN"]

            [eth-dix.eth1]
            bootstrap="eth1"
            dev="lo"
            ethertype=0xA007

            [udp6.udp2]
            bootstrap="udp2"
            ip="::1"
            port=9000

            [unicast.lan1]
            bootstrap="LAN"
            autobind=true
            routing="lfa"
            dht_k = 4
            congestion = "none"

            [unicast.lan2]
            enrol="lan1"
            conn=["lan1"]
            """)
        XCTAssertEqual(c.items.count, 7)
        guard case .name(let oping) = c.items[0], case .name(let secure) = c.items[1] else { return XCTFail() }
        XCTAssertEqual(oping.policy, .roundRobin)
        XCTAssertEqual(oping.programs.map(\.argv), [["/usr/bin/oping", "--listen"]])
        XCTAssertEqual(secure.name, "oping.secure")
        XCTAssertEqual(secure.policy, .spillover)
        XCTAssertEqual(secure.programs.map(\.argv), [["/usr/bin/oping", "-l", "-i", "10"], ["/usr/bin/oecho"]])
        XCTAssertEqual(secure.programs.map(\.autostart), [true, false])
        XCTAssertEqual(secure.server.crt, "/etc/crt.pem")
        guard case .ipcp(let local) = c.items[2], case .ipcp(let dix) = c.items[3], case .ipcp(let udp6) = c.items[4],
              case .ipcp(let uni) = c.items[5], case .ipcp(let enrolee) = c.items[6] else { return XCTFail() }
        XCTAssertEqual(local.bootstrap?.layerInfo.dirHashAlgo, HashAlgorithm.sha3_224.rawValue)
        XCTAssertEqual(local.register, ["bc1", "LAN"])
        XCTAssertEqual(dix.bootstrap?.eth.ethertype, 0xA007)
        XCTAssertEqual(dix.bootstrap?.eth.dev, "lo")
        XCTAssertEqual(udp6.bootstrap?.udp6.port, 9000)
        XCTAssertEqual([UInt8](udp6.bootstrap?.udp6.ipAddr ?? Data()), IPAddressText.parse("::1", v4: false), "udp6 addresses are kept")
        XCTAssertTrue(uni.autobind)
        XCTAssertEqual(uni.bootstrap?.unicast.dt.routing.ls.pol, 1)
        XCTAssertEqual(uni.bootstrap?.unicast.dir.dht.k, 4)
        XCTAssertEqual(uni.bootstrap?.unicast.congAvoid, 0)
        XCTAssertEqual(uni.bootstrap?.layerInfo.name, "LAN")
        XCTAssertEqual(enrolee.enrol, "lan1")
        XCTAssertNil(enrolee.bootstrap)
        XCTAssertEqual(enrolee.connect, ["lan1"])
    }

    func testBadFilesNameTheLineAndKey() {
        let cases: [(String, Int, String?, String)] = [
            ("[name.a]\nlb=\"fastest\"\n", 2, "lb", "unknown load-balancing policy"),
            ("[bogus.x]\n", 1, "bogus", "unknown table"),
            ("[local.l]\nbootstrap=\"l\"\ncolour=\"red\"\n", 3, "colour", "unknown key"),
            ("[eth-dix.e]\nbootstrap=\"e\"\ndev=\"lo\"\nethertype=0x0500\n", 4, "ethertype", "out of range"),
            ("[eth-llc.e]\nbootstrap=\"e\"\n", 1, nil, "missing dev"),
            ("[udp4.u]\nbootstrap=\"u\"\nip=\"300.1.1.1\"\n", 3, "ip", "invalid address"),
            ("[unicast.u]\nbootstrap=\"u\"\ndht_k=30\n", 3, "dht_k", "out of range"),
            ("[unicast.u]\nbootstrap=\"u\"\nrouting=\"rip\"\n", 3, "routing", "unknown routing"),
            ("[name.a]\nserver_crt_file=\"/missing/crt.pem\"\n", 2, "server_crt_file", "does not exist"),
            ("[name.a]\nprog=\"/bin/x\"\n", 2, "prog", "expected an array"),
            ("[name.a]\nlb=\"spill\"\nlb=\"spill\"\n", 3, nil, "duplicate key"),
            ("[name.a\n", 1, nil, "expected"),
            ("lb=\"spill\"\n", 1, nil, "outside a table"),
            ("[local.l]\nbootstrap=\"unterminated\n", 2, nil, "unterminated string"),
            ("[unicast.u]\nbootstrap=\"u\"\nautobind=\"yes\"\n", 3, "autobind", "expected true or false"),
            ("[unicast.u]\nbootstrap=\"u\"\nautobind=1\n", 3, "autobind", "expected true or false"),
        ]
        for (text, line, key, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { e in
                guard let e = e as? IRMdConfiguration.Error else { return XCTFail("\(e)") }
                XCTAssertEqual(e.line, line, text)
                XCTAssertEqual(e.key, key, text)
                XCTAssertTrue(e.message.contains(message), "\(e) for \(text)")
                XCTAssertTrue(e.description.hasPrefix("irmd.conf:\(line): "), e.description)
            }
        }
    }

    func testBothBootstrapAndEnrolPrefersEnrol() throws {
        let c = try parse("[unicast.u]\nbootstrap=\"l\"\nenrol=\"peer\"\n")
        guard case .ipcp(let u) = c.items[0] else { return XCTFail() }
        XCTAssertNil(u.bootstrap)
        XCTAssertEqual(u.enrol, "peer")
        XCTAssertEqual(c.warnings.count, 1)
    }

    /// `autobind` takes its value (the reference turns it on for `false` too).
    func testAutobindHonoursItsValue() throws {
        func autobind(_ line: String) throws -> Bool {
            guard case .ipcp(let u) = try parse("[unicast.u]\nbootstrap=\"l\"\n" + line).items[0] else {
                XCTFail()
                return false
            }
            return u.autobind
        }
        XCTAssertTrue(try autobind("autobind = true\n"))
        XCTAssertFalse(try autobind("autobind = false\n"))
        XCTAssertFalse(try autobind(""))
        XCTAssertFalse(try autobind("autobind=false\nenrol=\"peer\"\n"), "on the enrol path too")
    }

    /// A [name.…] table defaults to spillover, unlike `irm name create`
    /// (round-robin), as in the reference.
    func testNameTableDefaultsToSpillover() throws {
        guard case .name(let n) = try parse("[name.srv]\n").items[0] else { return XCTFail() }
        XCTAssertEqual(n.policy, .spillover)
        guard case .name(let rr) = try parse("[name.srv]\nlb=\"round-robin\"\n").items[0] else { return XCTFail() }
        XCTAssertEqual(rr.policy, .roundRobin)
        XCTAssertThrowsError(try parse("[name.srv]\nlb=\"spillover\"\n"), "the file spells it spill")
    }
}
