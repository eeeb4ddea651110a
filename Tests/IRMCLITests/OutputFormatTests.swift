import DevKit
import XCTest
@testable import IRMCLI

/// The exact text of `irm ipcp list` and `irm name list` (spec host.md §8.5).
final class OutputFormatTests: XCTestCase {
    func testIPCPList() {
        let ipcps = reply(ipcps: [
            ipcpEntry(4101, .local, "lo1"), ipcpEntry(4102, .unicast, "uni1", "uni"),
            ipcpEntry(4106, .udp4, "udp4a", "udp", hash: 5),
        ])
        let run = Run("irm ipcp list", replies: [ipcps])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.out, """
            +---------+----------------------+------------+----------------------+
            |     pid |                 name |       type |                layer |
            +---------+----------------------+------------+----------------------+
            |    4101 |                  lo1 |      local |        Not enrolled. |
            |    4102 |                 uni1 |    unicast |                  uni |
            |    4106 |                udp4a |       udp4 |                  udp |
            +---------+----------------------+------------+----------------------+


            """)
    }

    func testIPCPListEdgeCases() {
        XCTAssertEqual(Run("irm ipcp list").out, "No IPCPs in system.\n\n")
        var odd = ipcpEntry(7, .broadcast, "a-name-longer-than-twenty", "bc")
        odd.type = 9
        XCTAssertEqual(ipcpTable([odd]).split(separator: "\n")[3],
                       "|       7 | a-name-longer-than-twenty |    UNKNOWN |                   bc |")
        XCTAssertEqual(ipcpTable([ipcpEntry(1, .ethLLC, "e"), ipcpEntry(2, .ethDIX, "d"), ipcpEntry(3, .udp6, "u"),
                                  ipcpEntry(4, .broadcast, "b")])
                        .split(separator: "\n").dropFirst(3).prefix(4).map { $0.split(separator: "|")[2] },
                       ["    eth-llc ", "    eth-dix ", "       udp6 ", "  broadcast "])
        XCTAssertEqual(Run("irm ipcp list type nope").out, IPCPCommands.listUsage)
    }

    /// Only the IPCPs passing every filter: type exactly, name and layer as patterns.
    func testIPCPListFilters() {
        let ipcps = reply(ipcps: [
            ipcpEntry(4101, .local, "lo1", "lo"), ipcpEntry(4102, .unicast, "uni1", "uni"),
            ipcpEntry(4103, .unicast, "uni2", "top"), ipcpEntry(4104, .ethDIX, "e1"),
        ])
        func listed(_ line: String) -> [String] {
            let run = Run(line, replies: [ipcps])
            XCTAssertEqual(run.status, 0, line)
            XCTAssertEqual(run.requests.map(\.code), [.irmListIpcps], line)
            return run.out.split(separator: "\n").dropFirst(3).filter { $0.hasPrefix("| ") }
                .map { String($0.split(separator: "|")[1].trimmingCharacters(in: .whitespaces)) }
        }
        XCTAssertEqual(listed("irm ipcp list"), ["lo1", "uni1", "uni2", "e1"])
        XCTAssertEqual(listed("irm ipcp list type unicast"), ["uni1", "uni2"])
        XCTAssertEqual(listed("irm ipcp list type normal"), ["uni1", "uni2"], "legacy type names")
        XCTAssertEqual(listed("irm ipcp list name uni2"), ["uni2"])
        XCTAssertEqual(listed("irm ipcp list n uni*"), ["uni1", "uni2"])
        XCTAssertEqual(listed("irm ipcp list layer uni"), ["uni1"])
        XCTAssertEqual(listed("irm ipcp list l Not*"), ["e1"])
        XCTAssertEqual(listed("irm ipcp list type unicast layer top name u*"), ["uni2"])
        XCTAssertEqual(listed("irm ipcp list type local name uni1"), [])
        let none = Run("irm ipcp list type local name uni1", replies: [ipcps])
        XCTAssertEqual(none.out, """
            +---------+----------------------+------------+----------------------+
            |     pid |                 name |       type |                layer |
            +---------+----------------------+------------+----------------------+
            +---------+----------------------+------------+----------------------+


            """, "no match: the frame without rows")
    }

    func testNameList() {
        let names = reply(names: [nameEntry("srv.a", 0), nameEntry("srv.c", 1)])
        let run = Run("irm name list", replies: [names])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.out, """
            +----------------------------------------------------+----------------------+
            |                                               name |  load-balance policy |
            +----------------------------------------------------+----------------------+
            |                                              srv.a |          round-robin |
            |                                              srv.c |            spillover |
            +----------------------------------------------------+----------------------+

            """)
        XCTAssertEqual(Run("irm name list").out, "No names in system.\n\n")
    }

    /// `list <s>` shows the names that are a prefix of `<s>`.
    func testNameListFilter() {
        let names = reply(names: [nameEntry("srv.a", 0), nameEntry("srv.abc", 1), nameEntry("other", 0)])
        let out = Run("irm name list list srv.abc", replies: [names]).out
        XCTAssertTrue(out.contains("| \(String(repeating: " ", count: 45))srv.a |"))
        XCTAssertTrue(out.contains("srv.abc |"))
        XCTAssertFalse(out.contains("other"))
        XCTAssertEqual(Run("irm name list list", replies: [names]).out, NameCommands.listUsage)
    }
}
