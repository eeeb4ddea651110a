import DevKit
import XCTest
@testable import IRMCLI

/// Abbreviated and legacy command lines produce the requests of their full
/// forms.
final class AbbreviationTests: XCTestCase {
    /// `irm ipcp list` replies used below.
    let local = reply(ipcps: [ipcpEntry(10, .local, "lo")])
    let unicast = reply(ipcps: [ipcpEntry(20, .unicast, "u1", "uni")])
    let udp = reply(ipcps: [ipcpEntry(30, .udp4, "u4")])
    let dix = reply(ipcps: [ipcpEntry(40, .ethDIX, "dix1")])

    func codes(_ run: Run) -> [irm_msg_code] { run.requests.map(\.code) }

    func testShortBootstrapMatchesTheLongOne() {
        let short = Run("irm i b n lo type local layer lo", replies: [local])
        let long = Run("irm ipcp bootstrap name lo type local layer lo", replies: [local])
        XCTAssertEqual(short.status, 0)
        XCTAssertEqual(short.hex, long.hex)
        XCTAssertEqual(codes(short), [.irmListIpcps, .irmBootstrapIpcp])
        let conf = short.requests[1].conf
        XCTAssertEqual(short.requests[1].pid, 10)
        XCTAssertEqual(conf.ipcpType, IPCPType.local.rawValue)
        XCTAssertEqual(conf.layerInfo.name, "lo")
        XCTAssertEqual(conf.layerInfo.dirHashAlgo, HashAlgorithm.sha3_256.rawValue)
        XCTAssertFalse(conf.hasUnicast || conf.hasEth || conf.hasUdp4 || conf.hasUdp6)
    }

    func testEveryKeywordAbbreviates() {
        let short = Run("irm i b n dix1 ty eth la dix dev veth0 e a0b1 h SHA3_512", replies: [dix])
        let long = Run("irm ipcp bootstrap name dix1 type eth-dix layer dix device veth0 ethertype 0xA0B1 hash SHA3_512",
                       replies: [dix])
        XCTAssertEqual(short.status, 0)
        XCTAssertEqual(short.hex, long.hex)
        XCTAssertEqual(short.requests.last?.conf.eth.ethertype, 0xA0B1)
        XCTAssertEqual(short.requests.last?.conf.eth.dev, "veth0")
        XCTAssertEqual(short.requests.last?.conf.layerInfo.dirHashAlgo, HashAlgorithm.sha3_512.rawValue)
    }

    func testFirstMatchInTableOrderWins() {
        // `a` is addr (before addr_auth and autobind), `au` autobind; `d` is dns.
        let run = Run("irm i b n u1 ty u la uni a 2 ttl 9 au", replies: [unicast])
        XCTAssertEqual(codes(run), [.irmListIpcps, .irmBindProcess, .irmBindProcess, .irmBootstrapIpcp])
        XCTAssertEqual(run.requests[3].conf.unicast.dt.addrSize, 2)
        XCTAssertEqual(run.requests[3].conf.unicast.dt.maxTtl, 9)
        // `irm b p` is `bind program`, not `bind process`.
        let program = Run("irm b p /usr/local/bin/oping n x")
        XCTAssertEqual(codes(program), [.irmBindProgram])
        // `irm u` is `unbind`, `irm unr` the legacy `unregister`.
        XCTAssertEqual(codes(Run("irm u prog oping n ping.srv")), [.irmUnbindProgram])
        XCTAssertEqual(codes(Run("irm unr n srv ipcp u1", replies: [unicast])), [.irmListIpcps, .irmUnregName])
    }

    func testCreate() {
        let run = Run("irm i c n x type unicast")
        XCTAssertEqual(run.hex, Run("irm ipcp create name x type unicast").hex)
        XCTAssertEqual(run.requests.first?.ipcpInfo.type, IPCPType.unicast.rawValue)
        XCTAssertEqual(run.requests.first?.ipcpInfo.name, "x")
    }

    func testLegacyTypeNames() {
        XCTAssertEqual(Run("irm i c n x type normal").hex, Run("irm ipcp create type unicast name x").hex)
        XCTAssertEqual(Run("irm i c n x type udp").hex, Run("irm ipcp create type udp4 name x").hex)
        // Rumba: `irm i b n X type normal <comp> <pol>... layer L autobind`.
        let normal = Run("irm i b n u1 type normal routing lfa layer uni autobind", replies: [unicast])
        let modern = Run("irm ipcp bootstrap name u1 type unicast routing lfa layer uni autobind", replies: [unicast])
        XCTAssertEqual(normal.status, 0)
        XCTAssertEqual(normal.hex, modern.hex)
        XCTAssertEqual(normal.requests.last?.conf.unicast.dt.routing.ls.pol, 1)
        let udp4 = Run("irm i b n u4 type udp layer udp ip 10.0.0.1", replies: [udp])
        XCTAssertEqual(udp4.status, 0)
        XCTAssertEqual(udp4.requests.last?.conf.ipcpType, IPCPType.udp4.rawValue)
        XCTAssertEqual(udp4.requests.last?.conf.udp4.ipAddr, 0x0100_000A)
        XCTAssertEqual(udp4.requests.last?.conf.udp4.port, 3435)
        let enroll = Run("irm i e n u1 layer uni type normal", replies: [unicast])
        XCTAssertEqual(codes(enroll), [.irmListIpcps, .irmEnrollIpcp, .irmListIpcps])
    }

    func testBindProcessAndProgram() {
        let process = Run("irm b process 20957 name N")
        XCTAssertEqual(process.hex, Run("irm bind process 20957 name N").hex)
        XCTAssertEqual(process.requests.first?.pid, 20957)
        XCTAssertEqual(process.requests.first?.name, "N")

        var environment = FakeEnvironment()
        environment.files.insert("/bin/x")
        environment.executables.insert("/bin/x")
        let program = Run("irm b program /bin/x name N auto -- -l", environment: environment)
        XCTAssertEqual(program.status, 0)
        XCTAssertEqual(program.requests.first?.exec, ["/bin/x", "-l", ""])
        XCTAssertEqual(program.requests.first?.opts, 1)
        XCTAssertEqual(program.requests.first?.name, "N")
        // A relative path that exists is canonicalised first.
        environment.links["./x"] = "/bin/x"
        XCTAssertEqual(Run("irm b prog ./x n N", environment: environment).requests.first?.exec, ["/bin/x", ""])
        // A bare name goes through PATH.
        XCTAssertEqual(Run("irm b prog oping n N").requests.first?.exec, ["/usr/local/bin/oping", ""])
    }

    func testLegacyRegister() {
        let run = Run("irm r n NAME ipcp u1", replies: [unicast, reply()])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.hex, Run("irm name register NAME ipcp u1", replies: [unicast, reply()]).hex)
        XCTAssertEqual(codes(run), [.irmListIpcps, .irmListNames, .irmCreateName, .irmRegName])
        XCTAssertEqual(run.requests[2].nameInfo.polLb, LoadBalance.spillover.rawValue)
        XCTAssertEqual(run.requests[3].name, "NAME")
        XCTAssertEqual(run.requests[3].pid, 20)
        // Rumba also lists several IPCPs.
        let two = reply(ipcps: [ipcpEntry(20, .unicast, "u1", "uni"), ipcpEntry(21, .ethDIX, "e1", "dix")])
        let many = Run("irm reg name NAME ipcp u1 ipcp e1", replies: [two, reply(names: [nameEntry("NAME", 1)])])
        XCTAssertEqual(codes(many), [.irmListIpcps, .irmListNames, .irmRegName, .irmRegName])
        XCTAssertEqual(many.requests.suffix(2).map(\.pid), [20, 21])
    }

    func testConnectBothComponents() {
        let run = Run("irm i conn n u1 dst u2", replies: [unicast])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.hex, Run("irm ipcp connect name u1 dst u2 component *", replies: [unicast]).hex)
        XCTAssertEqual(codes(run), [.irmListIpcps, .irmConnectIpcp, .irmConnectIpcp])
        XCTAssertEqual(run.requests[1].comp, "Management")
        XCTAssertEqual(run.requests[2].comp, "Data Transfer")
        XCTAssertEqual(run.requests[2].dst, "u2")
    }

    func testRumbaSequence() {
        XCTAssertEqual(codes(Run("irm i e n u1 layer uni autobind", replies: [unicast, reply(), unicast])),
                       [.irmListIpcps, .irmEnrollIpcp, .irmListIpcps, .irmBindProcess, .irmBindProcess])
        XCTAssertEqual(codes(Run("irm i d n u1", replies: [unicast])), [.irmListIpcps, .irmDestroyIpcp])
        XCTAssertEqual(codes(Run("irm n r N l uni", replies: [unicast, reply(names: [nameEntry("N", 0)])])),
                       [.irmListIpcps, .irmListNames, .irmRegName])
        XCTAssertEqual(codes(Run("irm b i u1 n alias", replies: [unicast])), [.irmListIpcps, .irmBindProcess])
    }
}
