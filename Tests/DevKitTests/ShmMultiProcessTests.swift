#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit

/// The data path between real processes: the ShmPeer helper is the other side.
final class ShmMultiProcessTests: XCTestCase {
    private var scope: ShmScope!

    override func setUp() {
        super.setUp()
        scope = ShmScope(self)
    }

    private func ring(_ flow: Int = 1) throws -> RingBuffer {
        try RingBuffer.create(name: scope.name("rbuff.\(getpid()).\(flow)"))
    }

    private func userPool() throws -> PacketPool {
        scope.track(scope.instance.userPoolName(uid: getuid()))
        return try PacketPool.createUser(in: scope.instance, uid: getuid(), gid: getgid())
    }

    private func globalPool() throws -> PacketPool {
        scope.track(scope.instance.globalPoolName)
        return try PacketPool.createGlobal(in: scope.instance)
    }

    // MARK: - Rings

    func testMillionOffsetsInOrderFromAnotherProcess() throws {
        let r = try ring()
        let n = 1_000_000
        let writer = try ShmPeer(self, ["write-seq", r.memory.name, "\(n)"])
        for i in 1...n {
            let v = try r.read(.after(milliseconds: 30_000))
            if v != i { return XCTFail("read \(v), expected \(i)") }
        }
        XCTAssertEqual(writer.exitStatus(), 0)
        XCTAssertTrue(r.isEmpty)
    }

    func testMillionOffsetsInOrderToAnotherProcess() throws {
        let r = try ring()
        let n = 1_000_000
        let reader = try ShmPeer(self, ["read-seq", r.memory.name, "\(n)"])
        for i in 1...n { try r.write(i, .after(milliseconds: 30_000)) }
        XCTAssertEqual(reader.exitStatus(), 0)
        XCTAssertTrue(r.isEmpty)
    }

    func testBlockedReadWokenByWriterProcess() throws {
        let r = try ring()
        let writer = try ShmPeer(self, ["write-seq", r.memory.name, "1", "100"])
        XCTAssertEqual(try r.read(.after(milliseconds: 30_000)), 1)
        XCTAssertEqual(writer.exitStatus(), 0)
    }

    func testPeerReadWokenAndDeadlineHonoured() throws {
        let r = try ring()
        let reader = try ShmPeer(self, ["read-once", r.memory.name, "-1"])
        usleep(100_000)
        try r.write(3)
        XCTAssertEqual(reader.exitStatus(), 0)
        let start = Deadline.now
        let late = try ShmPeer(self, ["read-once", r.memory.name, "200"])
        XCTAssertEqual(late.exitStatus(), 14)
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 200_000_000)
    }

    func testACLResultsSeenByAnotherProcess() throws {
        let r = try ring()
        let name = r.memory.name
        func peer(_ args: String...) throws -> Int32? { try ShmPeer(self, args).exitStatus() }
        XCTAssertEqual(try peer("read-once", name, "0"), 13)
        r.acl = .flowPeer
        XCTAssertEqual(try peer("read-once", name, "0"), 11)
        XCTAssertEqual(try peer("read-once", name, "-1"), 11)
        r.acl = [.flowDown, .flowPeer]
        XCTAssertEqual(try peer("read-once", name, "-1"), 10)
        XCTAssertEqual(try peer("write-once", name, "0"), 10)
        r.acl = .readOnly
        XCTAssertEqual(try peer("write-once", name, "0"), 12)
        r.acl = .readWrite
        for i in 0..<RingBuffer.capacity { try r.write(i) }
        XCTAssertEqual(try peer("write-once", name, "0"), 13)
        XCTAssertEqual(try peer("write-once", name, "100"), 14)
        let blocked = try ShmPeer(self, ["write-once", name, "-1"])
        usleep(100_000)
        r.acl = .flowDown
        XCTAssertEqual(blocked.exitStatus(), 10)
        XCTAssertEqual(try r.read(.nonBlocking), 0)
    }

    // MARK: - Pool

    func testExhaustionAndBlockingAllocationAcrossProcesses() throws {
        let pool = try userPool()
        let len = PacketPool.maxPayload(ofClass: 7)
        let a = try pool.allocate(length: len, .nonBlocking)
        let b = try pool.allocate(length: len, .nonBlocking)
        let name = pool.memory.name
        XCTAssertEqual(try ShmPeer(self, ["alloc", name, "\(len)", "0"]).exitStatus(), 13)
        XCTAssertEqual(try ShmPeer(self, ["alloc", name, "\(len)", "100"]).exitStatus(), 14)
        let waiter = try ShmPeer(self, ["alloc", name, "\(len)", "30000"])
        usleep(150_000)
        try pool.release(a.offset)
        XCTAssertEqual(waiter.exitStatus(), 0)
        try pool.release(b.offset)
        XCTAssertTrue(pool.isFull)
    }

    // MARK: - Crashes

    /// A writer killed while it holds blocks, some already handed to our ring:
    /// we keep reading what it sent, and reclaim returns exactly the rest.
    func testKilledWriterHoldingBlocks() throws {
        let pool = try globalPool()
        let r = try ring()
        let writer = try ShmPeer(self, ["hold", pool.memory.name, "50", "1000", r.memory.name, "10"])
        XCTAssertEqual(writer.readLine(), "ready")
        writer.kill9()
        XCTAssertEqual(pool.freeCount(ofClass: 3), 384 - 50)
        XCTAssertEqual(pool.reclaim(pid: writer.pid), 40)
        XCTAssertEqual(r.count, 10)
        for i in 0..<10 {
            let off = try r.read(.nonBlocking)
            pool.adopt(off)
            let b = try pool.buffer(at: off)
            XCTAssertEqual(b.length, 1000)
            XCTAssertTrue((0..<1000).allSatisfy { b.bytes[$0] == UInt8(truncatingIfNeeded: i &* 31 &+ $0) })
            try pool.release(off)
        }
        XCTAssertTrue(pool.isFull)
        try r.write(1, .nonBlocking)
        XCTAssertEqual(try r.read(.nonBlocking), 1)
    }

    /// A reader killed while asleep in a wait leaves nothing held: the writer
    /// fills and drains the ring as usual, and a new reader works.
    func testKilledBlockedReader() throws {
        let r = try ring()
        let reader = try ShmPeer(self, ["read-once", r.memory.name, "-1"])
        usleep(200_000)
        reader.kill9()
        for i in 0..<RingBuffer.capacity { try r.write(i, .after(milliseconds: 5000)) }
        assertThrows(.again) { try r.write(1, .nonBlocking) }
        XCTAssertEqual(r.drain().count, RingBuffer.capacity)
        let next = try ShmPeer(self, ["read-once", r.memory.name, "-1"])
        usleep(100_000)
        try r.write(9)
        XCTAssertEqual(next.exitStatus(), 0)
    }

    /// Posters killed at random points (some inside the set's mutex) never
    /// wedge the owner: the robust mutex is recovered.
    func testKilledFlowSetPosters() throws {
        let fs = try FlowSet.create(name: scope.name("set.\(getpid())"))
        try fs.add(1, to: 0)
        for round in 0..<5 {
            let poster = try ShmPeer(self, ["notify-loop", fs.memory.name, "1"])
            XCTAssertEqual(poster.readLine(), "ready")
            usleep(UInt32(20_000 + round * 7_000))
            poster.kill9()
            XCTAssertFalse(try fs.wait(0, .after(milliseconds: 5000)).isEmpty)
            fs.notify(1, .up)
            XCTAssertEqual(try fs.wait(0, .after(milliseconds: 5000)), [FlowEvent(flowID: 1, type: .up)])
        }
        let sleeper = try ShmPeer(self, ["wait-set", fs.memory.name, "3", "-1"])
        usleep(100_000)
        sleeper.kill9()
        try fs.add(2, to: 3)
        fs.notify(2, .packet)
        XCTAssertEqual(try fs.wait(3, .nonBlocking), [FlowEvent(flowID: 2, type: .packet)])
    }

    // MARK: - Permissions

    private func nobody() throws -> (uid_t, gid_t) {
        guard geteuid() == 0 else { throw XCTSkip("needs root to switch to an unprivileged uid") }
        guard let pw = getpwnam("nobody") else { throw XCTSkip("no user nobody") }
        return (pw.pointee.pw_uid, pw.pointee.pw_gid)
    }

    func testUnprivilegedProcessUsesOnlyItsOwnPool() throws {
        let user = try nobody()
        let global = try globalPool()
        scope.track(scope.instance.userPoolName(uid: user.0))
        let own = try PacketPool.createUser(in: scope.instance, uid: user.0, gid: user.1)
        scope.track(scope.instance.userPoolName(uid: 4242))
        let other = try PacketPool.createUser(in: scope.instance, uid: 4242, gid: 4242)
        var st = stat()
        XCTAssertEqual(stat("/dev/shm" + own.memory.name, &st), 0)
        XCTAssertEqual(st.st_uid, user.0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertEqual(stat("/dev/shm" + global.memory.name, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o660)

        XCTAssertEqual(try ShmPeer(self, ["open-pool", global.memory.name], as: user).exitStatus(), 15)
        XCTAssertEqual(try ShmPeer(self, ["open-pool", other.memory.name], as: user).exitStatus(), 15)
        XCTAssertEqual(try ShmPeer(self, ["use-pool", own.memory.name], as: user).exitStatus(), 0)
        XCTAssertTrue(own.isFull)
    }

    /// What an IPCP does with an unprivileged application's packets: read the
    /// offset from the ring, copy the packet once from the user's pool into the
    /// global pool; it arrives intact and the user's block is freed.
    func testUnprivilegedPacketsCrossIntoTheGlobalPoolWithOneCopy() throws {
        let user = try nobody()
        let global = try globalPool()
        scope.track(scope.instance.userPoolName(uid: user.0))
        let own = try PacketPool.createUser(in: scope.instance, uid: user.0, gid: user.1)
        let r = try ring()
        let n = 500, len = 1400
        let sender = try ShmPeer(self, ["send", own.memory.name, r.memory.name, "\(n)", "\(len)"], as: user)
        for i in 0..<n {
            let off = try r.read(.after(milliseconds: 30_000))
            let copy = try own.copy(off, into: global, .after(milliseconds: 30_000))
            XCTAssertEqual(copy.length, len)
            XCTAssertTrue((0..<len).allSatisfy { copy.bytes[$0] == UInt8(truncatingIfNeeded: i &* 31 &+ $0) }, "packet \(i)")
            try global.release(copy.offset)
        }
        XCTAssertEqual(sender.exitStatus(), 0)
        XCTAssertTrue(own.isFull)
        XCTAssertTrue(global.isFull)
    }
}
