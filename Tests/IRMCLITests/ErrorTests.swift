import DevKit
import XCTest
@testable import IRMCLI

/// Bad command lines: their messages, exit status and what (little) they send.
final class ErrorTests: XCTestCase {
    let unicast = reply(ipcps: [ipcpEntry(20, .unicast, "u1", "uni")])
    let udp = reply(ipcps: [ipcpEntry(30, .udp4, "u4")])

    func testNoArgumentsPrintsUsageAnd255() {
        let run = Run(["irm"])
        XCTAssertEqual(run.status, 255)
        XCTAssertEqual(run.out, "Usage: irm [OPERATION]\n\nwhere OPERATION in { ipcp bind unbind name }\n")
        XCTAssertTrue(run.requests.isEmpty)
    }

    func testUnknownKeywords() {
        let top = Run("irm foo")
        XCTAssertEqual(top.status, 1)
        XCTAssertEqual(top.err, "\"foo\" is unknown, try \"irm help\".\n")
        XCTAssertEqual(Run("irm ipcp frob").err, "\"frob\" is unknown, try \"irm ipcp help\".\n")
        XCTAssertEqual(Run("irm bind x").err, "\"x\" is unknown, try \"irm bind help\".\n")
        XCTAssertEqual(Run("irm unbind x").err, "\"x\" is unknown, try \"irm unbind help\".\n")
        XCTAssertEqual(Run("irm name x").err, "\"x\" is unknown, try \"irm name help\".\n")
        let option = Run("irm ipcp create name x type local color red")
        XCTAssertEqual(option.status, 1)
        XCTAssertEqual(option.out, "\"color\" is unknown, try \"irm ipcp create\".\n")
        XCTAssertTrue(option.requests.isEmpty)
        XCTAssertEqual(Run("irm i b n x layer l zzz 1").out, "Unknown option: \"zzz\".\n")
        XCTAssertEqual(Run("irm i b n x layer l hash MD5").out, "Unknown parameter for hash: \"MD5\".\n")
        XCTAssertEqual(Run("irm i b n x layer l ro dijkstra").out, "Unknown parameter for ro: \"dijkstra\".\n")
        XCTAssertEqual(Run("irm name destroy a b").out, "\"b\" is unknown, try \"irm name destroy\".\n")
    }

    func testHelpAtEveryLevel() {
        for (line, usage) in [("irm help", IRMCommandLine.usage), ("irm ipcp help", IPCPCommands.group.usage),
                              ("irm bind help", BindCommands.bind.usage), ("irm unbind h", BindCommands.unbind.usage),
                              ("irm n help", NameCommands.group.usage)] {
            let run = Run(line)
            XCTAssertEqual(run.status, 0, line)
            XCTAssertEqual(run.out, usage, line)
        }
        XCTAssertTrue(IPCPCommands.group.usage.hasPrefix("Usage: irm ipcp [OPERATION]\n\nwhere OPERATION in {create destroy\n                    bootstrap enroll\n"))
        let bare = Run("irm ipcp")
        XCTAssertEqual(bare.status, 1)
        XCTAssertEqual(bare.out, IPCPCommands.group.usage)
    }

    func testMissingRequiredOptionsPrintUsage() {
        for (line, usage) in [("irm ipcp create type local", IPCPCommands.createUsage),
                              ("irm ipcp create type local name", IPCPCommands.createUsage),
                              ("irm ipcp destroy", IPCPCommands.destroyUsage),
                              ("irm ipcp bootstrap name x", IPCPBootstrap.usage),
                              ("irm ipcp enroll name x", IPCPEnroll.usage),
                              ("irm ipcp connect name x", IPCPConnect.connectUsage),
                              ("irm bind program /usr/local/bin/oping", BindCommands.bindProgramUsage),
                              ("irm bind process 20957", BindCommands.bindProcessUsage),
                              ("irm unbind program", BindCommands.unbindProgramUsage),
                              ("irm unbind process", BindCommands.unbindProcessUsage),
                              ("irm unbind ipcp", BindCommands.unbindIPCPUsage),
                              ("irm name create", NameCommands.createUsage),
                              ("irm name register srv", NameCommands.registerUsage),
                              ("irm register ipcp u1", LegacyCommands.registerUsage)] {
            let run = Run(line)
            XCTAssertEqual(run.status, 1, line)
            XCTAssertEqual(run.out, usage, line)
            XCTAssertTrue(run.requests.isEmpty, line)
        }
        XCTAssertEqual(IPCPCommands.createUsage, "Usage: irm ipcp create\n                name <ipcp name>\n                type [TYPE]\n\nwhere TYPE in {unicast broadcast local udp4 udp6 eth-llc eth-dix}\n")
    }

    func testUnknownIPCPType() {
        let create = Run("irm ipcp create type bogus name x")
        XCTAssertEqual(create.status, 1)
        XCTAssertEqual(create.out, "IPCP type \"bogus\" is unknown.\n" + IPCPCommands.createUsage)
        XCTAssertTrue(create.requests.isEmpty)
        // Bootstrap lists first, then rejects the type.
        let bootstrap = Run("irm ipcp bootstrap type bogus name x layer l")
        XCTAssertEqual(bootstrap.status, 1)
        XCTAssertEqual(bootstrap.out, IPCPBootstrap.usage)
        XCTAssertEqual(bootstrap.requests.map(\.code), [.irmListIpcps])
        XCTAssertEqual(Run("irm ipcp enroll name x layer l type local").out, IPCPEnroll.usage)
    }

    func testBadEthertype() {
        for value in ["0x0500", "FFFF", "0xZZ", "12345"] {
            let run = Run("irm ipcp bootstrap type eth-dix name d layer dix dev v ethertype \(value)")
            XCTAssertEqual(run.status, 1, value)
            XCTAssertEqual(run.out, "Invalid Ethertype: \"\(value)\".\nRecommended range: 0xA000-0xEFFF.\n")
            XCTAssertTrue(run.requests.isEmpty)
        }
    }

    func testBadAddresses() {
        let bad = Run("irm ipcp bootstrap type udp4 name u4 layer udp ip 300.1.1.1", replies: [udp])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.out, "Invalid IPv4 address: \"300.1.1.1\".\n" + IPCPBootstrap.usage)
        XCTAssertEqual(bad.requests.map(\.code), [.irmListIpcps])
        XCTAssertEqual(Run("irm i b type udp4 name u4 layer udp ip 0.0.0.0", replies: [udp]).out,
                       "Cannot use IPv4 address: \"0.0.0.0\".\n" + IPCPBootstrap.usage)
        XCTAssertEqual(Run("irm i b type udp4 name u4 layer udp ip 10.0.0.1 dns x", replies: [udp]).out,
                       "Invalid DNS IPv4 address: \"x\".\n" + IPCPBootstrap.usage)
        XCTAssertEqual(Run("irm i b type udp6 name u6 layer udp ip ::").out,
                       "Cannot use IPv6 address: \"::\".\n" + IPCPBootstrap.usage)
        // A bad address is refused before an IPCP is created.
        XCTAssertEqual(Run("irm i b type udp4 name new layer udp ip 1.2.3").requests.map(\.code), [.irmListIpcps])
    }

    /// The reference bootstraps an existing UDP IPCP named without `type` on
    /// 0.0.0.0, ignoring `ip` [ref-quirk]; we use and check the address.
    func testUDPWithoutTypeUsesTheAddress() {
        let run = Run("irm ipcp bootstrap name u4 layer udp ip 10.94.0.1 dns 10.94.0.53", replies: [udp])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.requests.last?.conf.udp4.ipAddr, 16801290)
        XCTAssertEqual(run.requests.last?.conf.udp4.dnsAddr, 889216522)
        let missing = Run("irm ipcp bootstrap name u4 layer udp", replies: [udp])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.out, "Invalid IPv4 address: \"\".\n" + IPCPBootstrap.usage)
        XCTAssertEqual(missing.requests.map(\.code), [.irmListIpcps])
    }

    func testNameTooLong() {
        let long = String(repeating: "a", count: 256)
        let create = Run(["irm", "name", "create", long])
        XCTAssertEqual(create.status, 1)
        XCTAssertEqual(create.out, "Name too long.\n" + NameCommands.createUsage)
        XCTAssertTrue(create.requests.isEmpty)
        let register = Run(["irm", "name", "register", long, "layer", "uni"])
        XCTAssertEqual(register.out, "Name too long.\n" + NameCommands.registerUsage)
        XCTAssertTrue(register.requests.isEmpty)
        let ipcp = Run(["irm", "ipcp", "create", "type", "local", "name", long])
        XCTAssertEqual(ipcp.status, 1)
        XCTAssertTrue(ipcp.requests.isEmpty)
        XCTAssertEqual(Run(["irm", "i", "b", "n", "u1", "layer", long], replies: [unicast]).out,
                       "Layer name too long.\n\n" + IPCPBootstrap.usage)
        XCTAssertEqual(Run(["irm", "name", "create", String(repeating: "a", count: 255)]).status, 0)
    }

    func testIRMdUnreachable() {
        for line in ["irm ipcp list", "irm name list", "irm ipcp create type local name x", "irm name destroy x",
                     "irm ipcp bootstrap type local name x layer l"] {
            let run = Run(line, failing: true)
            XCTAssertEqual(run.status, 1, line)
            XCTAssertEqual(run.out, IRMCommandLine.daemonUnreachable, line)
        }
        XCTAssertEqual(IRMCommandLine.daemonUnreachable,
                       "Failed to communicate with the Ouroboros IPC Resource Manager daemon.\n")
        // A local message comes first when the reference prints one.
        XCTAssertEqual(Run("irm name register x layer uni", failing: true).out,
                       "Failed to list IPCPs.\n" + IRMCommandLine.daemonUnreachable)
    }

    func testIRMdRefusal() {
        let run = Run("irm name destroy x", replies: [reply(result: -1)])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.out, "")
        let enroll = Run("irm ipcp enroll name u1 layer uni", replies: [unicast, reply(result: -1)])
        XCTAssertEqual(enroll.status, 1)
        XCTAssertEqual(enroll.out, "Failed to enroll IPCP.\n")
        let bootstrap = Run("irm i b n u1 layer uni autobind", replies: [unicast, reply(), reply(), reply(result: -1)])
        XCTAssertEqual(bootstrap.status, 1)
        XCTAssertEqual(bootstrap.requests.map(\.code),
                       [.irmListIpcps, .irmBindProcess, .irmBindProcess, .irmBootstrapIpcp,
                        .irmUnbindProcess, .irmUnbindProcess])
    }

    func testBootstrapLookups() {
        let none = Run("irm ipcp bootstrap name x layer l")
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.out, "No IPCPs matching x found.\n\n")
        let mismatch = Run("irm ipcp bootstrap name u1 layer l type local", replies: [unicast])
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertEqual(mismatch.out, "Types do not match.\n\n")
        let local = reply(ipcps: [ipcpEntry(10, .local, "lo")])
        let autobind = Run("irm ipcp bootstrap name lo layer l autobind", replies: [local])
        XCTAssertEqual(autobind.status, 0)
        XCTAssertEqual(autobind.out, "Can not bind this IPCP type,autobind disabled.\n\n")
        XCTAssertEqual(autobind.requests.map(\.code), [.irmListIpcps, .irmBootstrapIpcp])
        let dix = reply(ipcps: [ipcpEntry(40, .ethDIX, "d")])
        XCTAssertEqual(Run("irm ipcp bootstrap name d layer l", replies: [dix]).out, IPCPBootstrap.usage)
    }

    func testBindFailures() {
        let missing = Run("irm bind program /nope name n")
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.out, "/nope does not exist.\n")
        XCTAssertEqual(Run("irm bind program nope name n").out, "nope does not exist.\n")
        XCTAssertEqual(Run("irm bind program /usr/bin/plain name n").out,
                       "Cannot execute /usr/bin/plain, please check permissions.\n")
        for pid in ["12x", "999", "", "-"] {
            let run = Run(["irm", "bind", "process", pid, "name", "n"])
            XCTAssertEqual(run.status, 1)
            XCTAssertEqual(run.out, "\"\(pid)\" is not a valid process id.\n")
            XCTAssertTrue(run.requests.isEmpty)
        }
        XCTAssertEqual(Run("irm unbind process -3 name x").out, BindCommands.unbindProcessUsage)
    }

    func testNameCreateFailures() {
        XCTAssertEqual(Run("irm name create x lb fastest").out, NameCommands.createUsage)
        XCTAssertEqual(Run("irm name create x scrtpath /missing").out,
                       "Failed to check path /missing: No such file or directory.\n" + NameCommands.createUsage)
        var environment = FakeEnvironment()
        let deep = "/" + String(repeating: "d", count: 511)
        environment.files.insert(deep)
        XCTAssertEqual(Run("irm name create x skeypath \(deep)", environment: environment).out,
                       "File path too long: \(deep).\n" + NameCommands.createUsage)
    }

    func testQoSFallback() {
        let run = Run("irm ipcp connect name u1 dst u2 component dt qos gold", replies: [unicast])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.out, "Unknown QoS cube, defaulting to raw.\n")
        XCTAssertEqual(run.requests.last?.qosspec, QoSSpec.raw.message)
        // An unknown IPCP fails without a message.
        let unknown = Run("irm ipcp connect name zz dst u2", replies: [unicast])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.requests.map(\.code), [.irmListIpcps])
    }

    func testTooManyTargets() {
        let layers = (0...128).flatMap { ["layer", "l\($0)"] }
        XCTAssertEqual(Run(["irm", "name", "register", "x"] + layers).out, "Too many layers specified.\n")
        let ipcps = (0...128).flatMap { ["ipcp", "i\($0)"] }
        XCTAssertEqual(Run(["irm", "name", "unregister", "x"] + ipcps).out, "Too many IPCPs specified.\n")
    }
}
