import DevKit
import IPCPCommon
import IPCPUnicast
import XCTest

/// The reference's forwarding hash table test (ipcps.md §8.3) on the simple PFF.
final class SimpleForwardingTableTests: XCTestCase {
    func testInsertLookupDelete() {
        let pff = SimpleForwardingTable()
        for key in UInt64(0)...261 { XCTAssertTrue(pff.add(Address(key), flows: [Flow(fd: Int32(key))])) }
        XCTAssertFalse(pff.add(Address(4), flows: [Flow(fd: 9)]), "inserting an existing destination fails")
        XCTAssertEqual(pff.nextHop(Address(4)), Flow(fd: 4))
        XCTAssertEqual(pff.nextHop(Address(260)), Flow(fd: 260))
        XCTAssertTrue(pff.remove(Address(4)))
        XCTAssertNil(pff.nextHop(Address(4)))
        XCTAssertEqual(pff.nextHop(Address(260)), Flow(fd: 260))
        XCTAssertFalse(pff.remove(Address(4)))
    }

    func testReplaceKeepsFirstFlow() {
        let pff = SimpleForwardingTable()
        pff.add(Address(1), flows: [Flow(fd: 1)])
        pff.replace(with: [Address(2): [Flow(fd: 7), Flow(fd: 8)], Address(3): []])
        XCTAssertNil(pff.nextHop(Address(1)))
        XCTAssertEqual(pff.nextHop(Address(2)), Flow(fd: 7))
        XCTAssertNil(pff.nextHop(Address(3)))
        pff.flowStateChanged(Flow(fd: 7), up: false)
        XCTAssertEqual(pff.nextHop(Address(2)), Flow(fd: 7))
        XCTAssertEqual(pff.count, 1)
    }

    func testPoliciesMakeForwardingTables() {
        for policy: LinkStateConfig.Policy in [.simple, .loopFreeAlternates, .equalCostMultipath] {
            XCTAssertNil(policy.makeForwardingTable().nextHop(Address(1)))
        }
    }
}
