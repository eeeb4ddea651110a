#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit

final class ShmFlowSetTests: XCTestCase {
    private var scope: ShmScope!

    override func setUp() {
        super.setUp()
        scope = ShmScope(self)
    }

    private func flowSet() throws -> FlowSet {
        scope.track(scope.instance.flowSetName(pid: getpid()))
        return try FlowSet.create(in: scope.instance, pid: getpid())
    }

    func testMembership() throws {
        let fs = try flowSet()
        try fs.add(5, to: 1)
        XCTAssertTrue(fs.contains(5, in: 1))
        XCTAssertFalse(fs.contains(5, in: 2))
        XCTAssertEqual(fs.set(of: 5), 1)
        assertThrows(.permission) { try fs.add(5, to: 2) }
        assertThrows(.permission) { try fs.add(5, to: 1) }
        assertThrows(.invalid) { try fs.add(10240, to: 1) }
        assertThrows(.invalid) { try fs.add(1, to: 32) }
        fs.remove(5, from: 2)
        XCTAssertTrue(fs.contains(5, in: 1))
        fs.remove(5, from: 1)
        XCTAssertNil(fs.set(of: 5))
        try fs.add(5, to: 2)
        try fs.add(6, to: 2)
        fs.zero(2)
        XCTAssertNil(fs.set(of: 5))
        XCTAssertNil(fs.set(of: 6))
    }

    func testNotifyAndWaitInOrder() throws {
        let fs = try flowSet()
        let poster = try FlowSet.open(in: scope.instance, pid: getpid())
        try fs.add(3, to: 0)
        try fs.add(4, to: 1)
        poster.notify(3, .packet)
        poster.notify(4, .down)
        poster.notify(3, .dealloc)
        poster.notify(7, .packet)
        XCTAssertEqual(fs.pendingCount(0), 2)
        XCTAssertEqual(try fs.wait(0, .nonBlocking),
                       [FlowEvent(flowID: 3, type: .packet), FlowEvent(flowID: 3, type: .dealloc)])
        XCTAssertEqual(try fs.wait(1, .nonBlocking), [FlowEvent(flowID: 4, type: .down)])
        assertThrows(.again) { try fs.wait(0, .nonBlocking) }
        let start = Deadline.now
        assertThrows(.timedOut) { try fs.wait(0, .after(milliseconds: 50)) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 50_000_000)
        assertThrows(.invalid) { try fs.wait(32, .nonBlocking) }
    }

    func testWaiterWokenByNotify() throws {
        let fs = try flowSet()
        try fs.add(9, to: 4)
        startThread {
            usleep(30_000)
            fs.notify(9, .peer)
        }
        XCTAssertEqual(try fs.wait(4, .after(milliseconds: 10_000)), [FlowEvent(flowID: 9, type: .peer)])
    }

    func testZeroDropsPendingEvents() throws {
        let fs = try flowSet()
        try fs.add(1, to: 3)
        fs.notify(1, .packet)
        fs.zero(3)
        assertThrows(.again) { try fs.wait(3, .nonBlocking) }
    }

    /// The reference overruns a full queue; here events beyond 1024 are
    /// coalesced per flow, none is lost and nothing else is touched.
    func testOverflowCoalescesWithoutCorruption() throws {
        let fs = try flowSet()
        try fs.add(10, to: 5)
        try fs.add(11, to: 5)
        try fs.add(12, to: 6)
        fs.notify(12, .up)
        for i in 0..<3000 { fs.notify(i % 2 == 0 ? 10 : 11, .packet) }
        fs.notify(10, .up)
        fs.notify(10, .down)
        fs.notify(11, .dealloc)
        let events = try fs.wait(5, .nonBlocking)
        XCTAssertEqual(events.count, 3000 + 2)
        XCTAssertEqual(Array(events.prefix(4)).map(\.flowID), [10, 11, 10, 11])
        XCTAssertEqual(events.filter { $0.flowID == 10 && $0.type == .packet }.count, 1500)
        XCTAssertEqual(events.filter { $0.flowID == 11 && $0.type == .packet }.count, 1500)
        XCTAssertTrue(events.contains(FlowEvent(flowID: 10, type: .down)))
        XCTAssertFalse(events.contains(FlowEvent(flowID: 10, type: .up)))
        XCTAssertTrue(events.contains(FlowEvent(flowID: 11, type: .dealloc)))
        XCTAssertEqual(try fs.wait(6, .nonBlocking), [FlowEvent(flowID: 12, type: .up)])
        XCTAssertEqual(fs.set(of: 10), 5)
        XCTAssertEqual(fs.set(of: 12), 6)
        XCTAssertNil(fs.set(of: 13))
        fs.notify(10, .packet)
        XCTAssertEqual(try fs.wait(5, .nonBlocking), [FlowEvent(flowID: 10, type: .packet)])
    }
}
