#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit

final class ShmPoolTests: XCTestCase {
    private var scope: ShmScope!

    override func setUp() {
        super.setUp()
        scope = ShmScope(self)
    }

    private func globalPool() throws -> PacketPool {
        scope.track(scope.instance.globalPoolName)
        return try PacketPool.createGlobal(in: scope.instance)
    }

    private func userPool() throws -> PacketPool {
        scope.track(scope.instance.userPoolName(uid: getuid()))
        return try PacketPool.createUser(in: scope.instance, uid: getuid(), gid: getgid())
    }

    func testFreshPoolIsFullAndReopens() throws {
        let pool = try globalPool()
        XCTAssertEqual(pool.geometry, .global)
        for c in 0..<9 { XCTAssertEqual(pool.freeCount(ofClass: c), PacketPool.Geometry.global.blockCounts[c]) }
        let other = try PacketPool.openGlobal(in: scope.instance)
        XCTAssertEqual(other.geometry, .global)
        let b = try pool.allocate(length: 10, .nonBlocking)
        XCTAssertEqual(try other.buffer(at: b.offset).length, 10)
        try other.release(b.offset)
        XCTAssertTrue(pool.isFull)
        XCTAssertEqual(pool.memory.size, 4096 + 34_471_936)
    }

    func testCreateExistingAndMissing() throws {
        _ = try globalPool()
        assertThrows(.exists) { try PacketPool.createGlobal(in: scope.instance, replace: false) }
        let fresh = try PacketPool.createGlobal(in: scope.instance, replace: true)
        XCTAssertTrue(fresh.isFull)
        assertThrows(.noEntry) { try PacketPool.openUser(in: scope.instance, uid: 4_000_000) }
        let ring = scope.name("rbuff.1.1")
        _ = try RingBuffer.create(name: ring)
        assertThrows(.invalid) { try PacketPool.open(name: ring) }
    }

    func testSizeClassBoundaries() throws {
        let pool = try globalPool()
        XCTAssertEqual((1...8).map { PacketPool.maxPayload(ofClass: $0) },
                       [196, 708, 1732, 3780, 16068, 65220, 261_828, 1_048_260])
        XCTAssertEqual(try pool.sizeClass(forPayload: 0), 1)
        for c in 1...8 {
            let max = PacketPool.maxPayload(ofClass: c)
            XCTAssertEqual(try pool.sizeClass(forPayload: max), c)
            if c < 8 { XCTAssertEqual(try pool.sizeClass(forPayload: max + 1), c + 1) }
            let b = try pool.allocate(length: max, .nonBlocking)
            XCTAssertEqual(b.sizeClass, c)
            XCTAssertEqual(b.length, max)
            XCTAssertEqual(b.headroom, 256)
            XCTAssertEqual(b.tailroom, 32)
            XCTAssertEqual(b.capacity, PacketPool.objectSizes[c] - 28)
            try b.tailAlloc(32)
            assertThrows(.noMemory) { try b.tailAlloc(1) }
            try b.headAlloc(256)
            assertThrows(.noMemory) { try b.headAlloc(1) }
            XCTAssertEqual(b.length, max + 288)
            XCTAssertEqual(b.bytes.count, PacketPool.objectSizes[c] - 28)
            try pool.release(b.offset)
        }
        assertThrows(.messageSize) { try pool.allocate(length: 1_048_261, .nonBlocking) }
        let user = try userPool()
        XCTAssertEqual(try user.sizeClass(forPayload: 261_828), 7)
        assertThrows(.messageSize) { try user.allocate(length: 261_829, .nonBlocking) }
        XCTAssertTrue(pool.isFull)
        XCTAssertTrue(user.isFull)
    }

    func testHeadTailOperations() throws {
        let pool = try userPool()
        let b = try pool.allocate(length: 100, .nonBlocking)
        b.bytes.copyBytes(from: (0..<100).map { UInt8($0) })
        let h = try b.headAlloc(4)
        h.copyBytes(from: [0xde, 0xad, 0xbe, 0xef])
        XCTAssertEqual(b.length, 104)
        XCTAssertEqual(Array(b.bytes.prefix(5)), [0xde, 0xad, 0xbe, 0xef, 0])
        try b.headRelease(4)
        XCTAssertEqual(b.bytes.first, 0)
        try b.tailAlloc(2).copyBytes(from: [7, 7])
        XCTAssertEqual(b.bytes.last, 7)
        try b.tailRelease(2)
        XCTAssertEqual(b.bytes.last, 99)
        try b.truncate(to: 10)
        XCTAssertEqual(Array(b.bytes), (0..<10).map { UInt8($0) })
        assertThrows(.invalid) { try b.headRelease(11) }
        assertThrows(.invalid) { try b.tailRelease(11) }
        assertThrows(.invalid) { try b.truncate(to: b.capacity) }
        try b.truncate(to: b.capacity - b.head)
        XCTAssertEqual(b.tailroom, 0)
        try pool.release(b.offset)
    }

    func testExhaustionNeverFallsBackToALargerClass() throws {
        let pool = try userPool()
        let c = 6
        let len = PacketPool.maxPayload(ofClass: c)
        var held = try (0..<8).map { _ in try pool.allocate(length: len, .nonBlocking).offset }
        XCTAssertEqual(pool.freeCount(ofClass: c), 0)
        assertThrows(.again) { try pool.allocate(length: len, .nonBlocking) }
        let start = Deadline.now
        assertThrows(.timedOut) { try pool.allocate(length: len, .after(milliseconds: 50)) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 50_000_000)
        XCTAssertEqual(pool.freeCount(ofClass: c + 1), 2)
        try pool.release(held.removeLast())
        let again = try pool.allocate(length: len, .nonBlocking)
        held.append(again.offset)
        for o in held { try pool.release(o) }
        XCTAssertTrue(pool.isFull)
    }

    func testBlockingAllocationWokenByAFree() throws {
        let pool = try userPool()
        let len = PacketPool.maxPayload(ofClass: 7)
        let a = try pool.allocate(length: len, .nonBlocking).offset
        let b = try pool.allocate(length: len, .nonBlocking).offset
        startThread {
            usleep(50_000)
            try? pool.release(a)
        }
        let c = try pool.allocate(length: len, .after(milliseconds: 10_000))
        XCTAssertEqual(c.offset, a)
        try pool.release(b)
        try pool.release(c.offset)
        XCTAssertTrue(pool.isFull)
    }

    func testReferenceCounts() throws {
        let pool = try userPool()
        let b = try pool.allocate(length: 5, .nonBlocking)
        XCTAssertEqual(pool.referenceCount(b.offset), 1)
        try pool.retain(b.offset)
        XCTAssertEqual(pool.referenceCount(b.offset), 2)
        try pool.release(b.offset)
        XCTAssertEqual(try pool.buffer(at: b.offset).length, 5)
        try pool.release(b.offset)
        XCTAssertEqual(pool.referenceCount(b.offset), 0)
        assertThrows(.invalid) { try pool.buffer(at: b.offset) }
        assertThrows(.invalid) { try pool.release(b.offset) }
        assertThrows(.invalid) { try pool.retain(b.offset) }
        assertThrows(.invalid) { try pool.buffer(at: 0) }
        assertThrows(.invalid) { try pool.buffer(at: b.offset + 4) }
        assertThrows(.invalid) { try pool.buffer(at: pool.memory.size) }
        XCTAssertTrue(pool.isFull)
    }

    func testReclaimSparesHandedOffBlocks() throws {
        let pool = try globalPool()
        let me = getpid()
        let kept = try (0..<10).map { _ in try pool.allocate(length: 1000, .nonBlocking).offset }
        let sent = try pool.allocate(length: 1000, .nonBlocking).offset
        try pool.retain(kept[0])
        XCTAssertEqual(pool.owner(of: sent), me)
        pool.handOff(sent)
        XCTAssertEqual(pool.owner(of: sent), 0)
        XCTAssertEqual(pool.reclaim(pid: me), 10)
        XCTAssertEqual(pool.referenceCount(kept[0]), 0)
        XCTAssertEqual(pool.referenceCount(sent), 1)
        pool.adopt(sent)
        XCTAssertEqual(pool.owner(of: sent), me)
        try pool.release(sent)
        XCTAssertTrue(pool.isFull)
        XCTAssertEqual(pool.reclaim(pid: me), 0)
    }

    func testCopyBetweenPools() throws {
        let user = try userPool()
        let global = try globalPool()
        let b = try user.allocate(length: 300, .nonBlocking)
        b.bytes.copyBytes(from: (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try b.headRelease(10)
        let c = try user.copy(b.offset, into: global)
        XCTAssertEqual(c.headroom, 256)
        XCTAssertEqual(Array(c.bytes), (10..<300).map { UInt8(truncatingIfNeeded: $0 * 7) })
        XCTAssertEqual(user.referenceCount(b.offset), 0)
        try global.release(c.offset)
        XCTAssertTrue(user.isFull)
        XCTAssertTrue(global.isFull)
    }

    func testConcurrentAllocFreeKeepsEveryBlock() throws {
        let pool = try userPool()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            var held: [Int] = []
            for i in 0..<100_000 {
                if let b = try? pool.allocate(length: 64, .nonBlocking) { held.append(b.offset) }
                if i % 3 == 0 || held.count > 40 {
                    for o in held { try? pool.release(o) }
                    held.removeAll()
                }
            }
            for o in held { try? pool.release(o) }
        }
        XCTAssertTrue(pool.isFull)
    }
}

