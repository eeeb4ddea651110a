import IPCPUnicast
import XCTest

/// The reference's forwarding hash table test (ipcps.md §8.3) on the simple PFF.
final class SimpleForwardingTableTests: XCTestCase {
    func testInsertLookupDelete() {
        let pff = SimpleForwardingTable()
        for key in UInt64(0)...261 { XCTAssertTrue(pff.add(key, fds: [Int32(key)])) }
        XCTAssertFalse(pff.add(4, fds: [9]), "inserting an existing destination fails")
        XCTAssertEqual(pff.nextHop(for: 4), 4)
        XCTAssertEqual(pff.nextHop(for: 260), 260)
        XCTAssertTrue(pff.remove(4))
        XCTAssertNil(pff.nextHop(for: 4))
        XCTAssertEqual(pff.nextHop(for: 260), 260)
        XCTAssertFalse(pff.remove(4))
    }

    func testReplaceKeepsFirstFD() {
        let pff = SimpleForwardingTable()
        pff.add(1, fds: [1])
        pff.replace(with: [ForwardingEntry(destination: 2, fds: [7, 8]), ForwardingEntry(destination: 3, fds: [])])
        XCTAssertNil(pff.nextHop(for: 1))
        XCTAssertEqual(pff.nextHop(for: 2), 7)
        XCTAssertNil(pff.nextHop(for: 3))
        pff.flowStateChanged(fd: 7, up: false)
        XCTAssertEqual(pff.nextHop(for: 2), 7)
        XCTAssertEqual(pff.count, 1)
    }
}
