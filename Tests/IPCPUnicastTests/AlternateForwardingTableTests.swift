import DevKit
import IPCPCommon
import IPCPUnicast
import XCTest

/// The alternate (LFA) PFF: primary first, switch on flow down, back on up.
final class AlternateForwardingTableTests: XCTestCase {
    private let f1 = Flow(fd: 1), f2 = Flow(fd: 2), f3 = Flow(fd: 3)
    private let d1 = Address(10), d2 = Address(20), d3 = Address(30)

    private func table() -> AlternateForwardingTable {
        let t = AlternateForwardingTable()
        // As the LFA routing table gives them: the primary may appear again.
        t.replace(with: [d1: [f1, f2], d2: [f1, f3, f1], d3: [f2, f1]])
        return t
    }

    func testPrimaryIsUsed() {
        let t = table()
        XCTAssertEqual(t.nextHop(d1), f1)
        XCTAssertEqual(t.nextHop(d2), f1)
        XCTAssertEqual(t.nextHop(d3), f2)
        XCTAssertNil(t.nextHop(Address(40)))
    }

    func testFlowDownSwitchesToFirstLiveAlternate() {
        let t = table()
        t.flowStateChanged(f1, up: false)
        XCTAssertEqual(t.nextHop(d1), f2)
        XCTAssertEqual(t.nextHop(d2), f3)
        XCTAssertEqual(t.nextHop(d3), f2, "a destination not using the flow keeps its next hop")
        XCTAssertEqual(t.nextHops(d2), [f3, f1, f1])
        // The only alternates left are down: the destination stays where it is.
        t.flowStateChanged(f3, up: false)
        XCTAssertEqual(t.nextHop(d2), f3)
    }

    func testFlowUpRestoresPrimary() {
        let t = table()
        t.flowStateChanged(f1, up: false)
        t.flowStateChanged(f1, up: true)
        XCTAssertEqual(t.nextHop(d1), f1)
        XCTAssertEqual(t.nextHop(d2), f1)
        XCTAssertEqual(t.nextHops(d2), [f1, f3, f1])
        XCTAssertEqual(t.nextHop(d3), f2)
    }

    func testUpOfAFlowNotDownChangesNothing() {
        let t = table()
        t.flowStateChanged(f2, up: false)
        XCTAssertEqual(t.nextHop(d3), f1)
        t.flowStateChanged(f3, up: true)
        XCTAssertEqual(t.nextHop(d3), f1)
    }

    func testDownFlowStaysAvoidedAcrossRecalculation() {
        let t = table()
        t.flowStateChanged(f1, up: false)
        t.replace(with: [d1: [f1, f2], d2: [f1]])
        XCTAssertEqual(t.nextHop(d1), f2)
        XCTAssertEqual(t.nextHop(d2), f1, "no alternate: the primary stays")
        XCTAssertNil(t.nextHop(d3))
        t.flowStateChanged(f1, up: true)
        XCTAssertEqual(t.nextHop(d1), f1)
    }

    func testPolicyMakesAlternateTable() {
        XCTAssertTrue(LinkStateConfig.Policy.loopFreeAlternates.makeForwardingTable() is AlternateForwardingTable)
    }
}
