import DevKit
import IPCPCommon
import IPCPUnicast
import XCTest

/// The multipath (ECMP) PFF: per-packet round robin over the next hops.
final class MultipathForwardingTableTests: XCTestCase {
    func testRoundRobin() {
        let t = MultipathForwardingTable()
        let f1 = Flow(fd: 1), f2 = Flow(fd: 2), f3 = Flow(fd: 3)
        t.replace(with: [Address(1): [f1, f2, f3], Address(2): [f2], Address(3): []])
        XCTAssertEqual((0..<7).map { _ in t.nextHop(Address(1)) }, [f1, f2, f3, f1, f2, f3, f1])
        XCTAssertEqual(t.nextHop(Address(2)), f2)
        XCTAssertEqual(t.nextHop(Address(2)), f2)
        XCTAssertNil(t.nextHop(Address(3)))
        XCTAssertNil(t.nextHop(Address(4)))
        t.flowStateChanged(f1, up: false)
        XCTAssertEqual(t.nextHop(Address(1)), f2, "multipath ignores flow state")
    }

    func testReplaceStartsOver() {
        let t = MultipathForwardingTable()
        let f1 = Flow(fd: 1), f2 = Flow(fd: 2)
        t.replace(with: [Address(1): [f1, f2]])
        _ = t.nextHop(Address(1))
        t.replace(with: [Address(1): [f1, f2]])
        XCTAssertEqual(t.nextHop(Address(1)), f1)
    }

    func testPolicyMakesMultipathTable() {
        XCTAssertTrue(LinkStateConfig.Policy.equalCostMultipath.makeForwardingTable() is MultipathForwardingTable)
        XCTAssertTrue(LinkStateConfig.Policy.simple.makeForwardingTable() is SimpleForwardingTable)
    }
}
