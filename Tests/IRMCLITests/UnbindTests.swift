import DevKit
import XCTest
@testable import IRMCLI

/// `irm unbind ...`: `name` is optional, as the usage texts say; without it
/// the IRMd's no-name forms are sent (spec host.md §2.5).
final class UnbindTests: XCTestCase {
    private let ipcps = reply(ipcps: [ipcpEntry(4101, .local, "lo1", "lo"), ipcpEntry(4102, .unicast, "uni1", "uni")])

    func testProgramWithoutNameUnbindsEveryName() {
        let run = Run("irm unbind program /usr/local/bin/oping")
        XCTAssertEqual(run.status, 0, run.out)
        XCTAssertEqual(run.requests.count, 1)
        XCTAssertEqual(run.requests[0].code, .irmUnbindProgram)
        XCTAssertEqual(run.requests[0].prog, "/usr/local/bin/oping", "sent as typed")
        XCTAssertFalse(run.requests[0].hasName)
    }

    func testProcessWithoutNameSendsTheNoNameForm() {
        let run = Run("irm unbind process 20957")
        XCTAssertEqual(run.status, 0, run.out)
        XCTAssertEqual(run.requests.map(\.code), [.irmUnbindProcess])
        XCTAssertEqual(run.requests[0].pid, 20957)
        XCTAssertFalse(run.requests[0].hasName)
    }

    func testIPCPWithoutNameSendsTheNoNameFormForItsProcess() {
        let run = Run("irm unbind ipcp uni1", replies: [ipcps])
        XCTAssertEqual(run.status, 0, run.out)
        XCTAssertEqual(run.requests.map(\.code), [.irmListIpcps, .irmUnbindProcess])
        XCTAssertEqual(run.requests[1].pid, 4102)
        XCTAssertFalse(run.requests[1].hasName)
    }

    func testWithNameUnbindsThatName() {
        let run = Run("irm unbind ipcp uni1 n uni.alias", replies: [ipcps])
        XCTAssertEqual(run.status, 0, run.out)
        XCTAssertEqual(run.requests.last?.name, "uni.alias")
        XCTAssertEqual(run.requests.last?.pid, 4102)
        XCTAssertEqual(Run("irm unbind program oping name srv").requests.map(\.name), ["srv"])
    }

    func testUnknownIPCPDoesNothing() {
        let run = Run("irm unbind ipcp nope", replies: [ipcps])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.requests.map(\.code), [.irmListIpcps])
    }

    func testIRMdRefusalFails() {
        XCTAssertEqual(Run("irm unbind program oping", replies: [reply(result: -1)]).status, 1)
    }
}

/// The load-balancing defaults, each as in the reference: `irm name create`
/// round-robin, `name register` (creating a missing name) spillover.
final class NameDefaultTests: XCTestCase {
    func testNameCreateDefaultsToRoundRobin() {
        let run = Run("irm name create srv")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.requests.map(\.nameInfo.polLb), [LoadBalance.roundRobin.rawValue])
        XCTAssertTrue(NameCommands.createUsage.contains("[lb LB_POLICY], default: round-robin"))
        XCTAssertEqual(Run("irm name create srv lb spillover").requests.map(\.nameInfo.polLb),
                       [LoadBalance.spillover.rawValue])
    }

    func testRegisterCreatesMissingNamesWithSpillover() {
        let run = Run("irm name register srv layer uni",
                      replies: [reply(ipcps: [ipcpEntry(4102, .unicast, "uni1", "uni")]), reply(names: [])])
        XCTAssertEqual(run.status, 0, run.out)
        XCTAssertEqual(run.requests.filter { $0.code == .irmCreateName }.map(\.nameInfo.polLb),
                       [LoadBalance.spillover.rawValue])
    }
}
