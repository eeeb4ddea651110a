#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit

final class ShmRingTests: XCTestCase {
    private var scope: ShmScope!

    override func setUp() {
        super.setUp()
        scope = ShmScope(self)
    }

    private func ring(_ flow: Int = 1) throws -> RingBuffer {
        scope.track(scope.instance.ringName(pid: getpid(), flowID: flow))
        return try RingBuffer.create(in: scope.instance, pid: getpid(), flowID: flow)
    }

    func testOrderCapacityAndCount() throws {
        let r = try ring()
        XCTAssertEqual(r.acl, .readWrite)
        XCTAssertEqual(r.readerPID, getpid())
        for round in 0..<3 {
            for i in 0..<RingBuffer.capacity { try r.write(round * 10_000 + i, .nonBlocking) }
            XCTAssertEqual(r.count, 1023)
            assertThrows(.again) { try r.write(1, .nonBlocking) }
            for i in 0..<RingBuffer.capacity { XCTAssertEqual(try r.read(.nonBlocking), round * 10_000 + i) }
            XCTAssertTrue(r.isEmpty)
            assertThrows(.again) { try r.read(.nonBlocking) }
        }
    }

    func testTwoHandlesShareOneRing() throws {
        let w = try ring()
        let r = try RingBuffer.open(in: scope.instance, pid: getpid(), flowID: 1)
        try w.write(42)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(try r.read(.nonBlocking), 42)
        XCTAssertEqual(w.count, 0)
        // Readers and writers taking turns through different handles.
        for i in 0..<3000 {
            try (i % 3 == 0 ? w : r).write(i, .nonBlocking)
            XCTAssertEqual(try (i % 2 == 0 ? w : r).read(.nonBlocking), i)
            if i % 7 == 0 { assertThrows(.again) { try (i % 5 == 0 ? w : r).read(.nonBlocking) } }
        }
        assertThrows(.noEntry) { try RingBuffer.open(in: scope.instance, pid: getpid(), flowID: 99) }
    }

    /// Spec §5.7: write checks FLOWDOWN, then RDONLY, then room.
    /// irmd drains a ring through its own mapping after the reader consumed
    /// part of it: only what is still queued comes out (a stale cached head in
    /// one mapping must not make it read past the writer).
    func testDrainThroughASecondMappingAfterReads() throws {
        let reader = try ring()
        for i in 1...5 { try reader.write(i * 64, .nonBlocking) }
        for i in 1...3 { XCTAssertEqual(try reader.read(.nonBlocking), i * 64) }
        let other = try RingBuffer.open(in: scope.instance, pid: getpid(), flowID: 1)
        XCTAssertEqual(other.drain(), [256, 320])
        XCTAssertEqual(other.drain(), [])
        assertThrows(.again) { try reader.read(.nonBlocking) }
        try reader.write(7 * 64, .nonBlocking)
        XCTAssertEqual(try reader.read(.nonBlocking), 7 * 64, "the first mapping still works")
        XCTAssertEqual(other.drain(), [])
    }

    func testWriteACLResults() throws {
        let r = try ring()
        r.acl = .readOnly
        assertThrows(.notAllocated) { try r.write(1, .nonBlocking) }
        assertThrows(.notAllocated) { try r.write(1, .forever) }
        r.acl = .flowDown
        assertThrows(.flowDown) { try r.write(1, .nonBlocking) }
        r.acl = [.flowDown, .readOnly]
        assertThrows(.flowDown) { try r.write(1, .nonBlocking) }
        r.acl = .flowPeer
        try r.write(1, .nonBlocking)
        r.acl = .readWrite
        try r.write(2, .nonBlocking)
        XCTAssertEqual(r.count, 2)
    }

    /// Spec §5.7: an empty ring reports FLOWDOWN before FLOWPEER before EAGAIN;
    /// queued entries are read first.
    func testReadACLResults() throws {
        let r = try ring()
        try r.write(7)
        r.acl = [.flowDown, .flowPeer]
        XCTAssertEqual(try r.read(.nonBlocking), 7)
        assertThrows(.flowDown) { try r.read(.nonBlocking) }
        assertThrows(.flowDown) { try r.read(.forever) }
        r.acl = .flowPeer
        assertThrows(.flowPeer) { try r.read(.nonBlocking) }
        assertThrows(.flowPeer) { try r.read(.forever) }
        r.acl = .readOnly
        assertThrows(.again) { try r.read(.nonBlocking) }
        r.acl = .readWrite
        assertThrows(.again) { try r.read(.nonBlocking) }
    }

    func testDeadlinesAreHonoured() throws {
        let r = try ring()
        var start = Deadline.now
        assertThrows(.timedOut) { try r.read(.after(milliseconds: 60)) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 60_000_000)
        for i in 0..<RingBuffer.capacity { try r.write(i) }
        start = Deadline.now
        assertThrows(.timedOut) { try r.write(1, .after(milliseconds: 60)) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 60_000_000)
        start = Deadline.now
        assertThrows(.timedOut) { try r.waitUntilEmpty(.after(milliseconds: 30)) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 30_000_000)
        assertThrows(.again) { try r.waitUntilEmpty(.nonBlocking) }
        XCTAssertEqual(r.drain().count, RingBuffer.capacity)
        assertThrows(.timedOut) { try r.read(.until(Deadline(nanoseconds: 0))) }
    }

    func testBlockedReaderWokenByWriterAndByFlowDown() throws {
        let r = try ring()
        startThread {
            usleep(30_000)
            try? r.write(5)
            usleep(30_000)
            r.acl = .flowDown
        }
        XCTAssertEqual(try r.read(.after(milliseconds: 10_000)), 5)
        assertThrows(.flowDown) { try r.read(.after(milliseconds: 10_000)) }
    }

    func testBlockedWriterWokenByReaderAndByFlowDown() throws {
        let r = try ring()
        for i in 0..<RingBuffer.capacity { try r.write(i) }
        startThread {
            usleep(30_000)
            _ = try? r.read(.nonBlocking)
            usleep(30_000)
            r.acl = .flowDown
        }
        try r.write(9999, .after(milliseconds: 10_000))
        assertThrows(.flowDown) { try r.write(1, .after(milliseconds: 10_000)) }
        XCTAssertEqual(r.drain().count, RingBuffer.capacity)
        try r.waitUntilEmpty(.nonBlocking)
    }

    func testWaitUntilEmptyWokenByReader() throws {
        let r = try ring()
        for i in 0..<10 { try r.write(i) }
        startThread {
            for _ in 0..<10 {
                usleep(2000)
                _ = try? r.read(.nonBlocking)
            }
        }
        try r.waitUntilEmpty(.after(milliseconds: 10_000))
        XCTAssertTrue(r.isEmpty)
    }

    func testFutexOnlyPingPongBetweenThreads() throws {
        scope.track(scope.instance.ringName(pid: getpid(), flowID: 2))
        let a = try RingBuffer.create(name: scope.instance.ringName(pid: getpid(), flowID: 1),
                                      replace: true, spinNanoseconds: 0)
        scope.track(a.memory.name)
        let b = try RingBuffer.create(name: scope.instance.ringName(pid: getpid(), flowID: 2),
                                      replace: true, spinNanoseconds: 0)
        startThread {
            for _ in 0..<2000 {
                guard let v = try? a.read(.after(milliseconds: 10_000)) else { return }
                try? b.write(v + 1)
            }
        }
        for i in 0..<2000 {
            try a.write(i)
            XCTAssertEqual(try b.read(.after(milliseconds: 10_000)), i + 1)
        }
    }
}
