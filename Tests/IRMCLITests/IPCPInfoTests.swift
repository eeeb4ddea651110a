import DevKit
import XCTest
@testable import IRMCLI

/// `irm ipcp info` (our extension): one IRM_IPCP_INFO per section, the
/// IPCP's text printed as it comes.
final class IPCPInfoTests: XCTestCase {
    let list = reply(ipcps: [ipcpEntry(4711, .unicast, "uA", "uni"), ipcpEntry(4712, .udp4, "u4", "l4")])

    func text(_ comp: String, result: Int32 = 0) -> irm_msg {
        var m = reply(result: result)
        m.comp = comp
        return m
    }

    func testOneSection() {
        let r = Run("irm i i n uA l", replies: [list, text("/lsdb\n  .dt 0a.00.00.02: fd 70\n")])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.requests.map(\.code), [.irmListIpcps, .irmIpcpInfo])
        XCTAssertEqual(r.requests[1].pid, 4711)
        XCTAssertEqual(r.requests[1].comp, "lsdb")
        XCTAssertEqual(r.out, "/lsdb\n  .dt 0a.00.00.02: fd 70\n")
    }

    /// Everything: the summary, then each section; those the IPCP does not
    /// keep are left out.
    func testEverythingSkipsWhatTheIPCPDoesNotKeep() {
        let notSupported = OuroError.notSupported.result
        let r = Run("irm ipcp info name u4", replies: [
            list, text("/info\n"), text("", result: notSupported), text("", result: notSupported),
            text("", result: notSupported), text("/flows: none\n"), text("", result: notSupported),
        ])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.requests.dropFirst().map(\.comp), ["info", "lsdb", "pff", "dht", "flows", "dt"])
        XCTAssertEqual(r.out, "/info\n/flows: none\n")
    }

    func testANamedSectionTheIPCPDoesNotKeepIsReported() {
        let r = Run("irm ipcp info name u4 dht", replies: [list, text("", result: OuroError.notSupported.result)])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "/dht: not supported by IPCP u4.\n")
    }

    func testUnknownIPCPAndUsage() {
        XCTAssertEqual(Run("irm ipcp info name nope", replies: [list]).out, "No IPCP named nope.\n")
        XCTAssertEqual(Run("irm ipcp info").out, IPCPInfo.usage)
        XCTAssertEqual(Run("irm ipcp info name uA bogus", replies: [list]).out,
                       "\"bogus\" is unknown, try \"irm ipcp info\".\n")
    }
}
