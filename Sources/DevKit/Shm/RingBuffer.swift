#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Access bits of a ring buffer (spec §5.7).
public struct RingACL: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Readable and writable (no bit set).
    public static let readWrite: RingACL = []
    /// Writes fail with `ENOTALLOC`.
    public static let readOnly = RingACL(rawValue: 1)
    /// The flow is down: writes fail, reads fail once the ring is empty.
    public static let flowDown = RingACL(rawValue: 2)
    /// The peer timed out: reads fail once the ring is empty.
    public static let flowPeer = RingACL(rawValue: 4)
}

/// The receive ring of one flow direction: 1024 slots of block offsets, 1023
/// usable, in shared memory.
///
/// Layout (ours): magic (8 bytes, written last), version, slot count, reader
/// pid; then on separate cache lines the ACL (64), `head` (128, the next slot to
/// write, only the writer stores it), `tail` (192, the next slot to read, only
/// the reader stores it), the reader's wake-up channel (256) and the writer's
/// (320); the 1024 32-bit slots from 384. `head` and `tail` run freely
/// (mod 2^32): queued = head − tail.
///
/// One process writes and one process reads: the ring is lock-free
/// single-producer/single-consumer across processes, and nothing in shared
/// memory is ever held, so a peer killed at any point cannot wedge the other
/// side. Threads of one process sharing a side are serialised by a lock local
/// to this handle, which is never held while waiting; a process must therefore
/// use one handle per ring and side. A waiting reader spins for `spinNanoseconds`
/// before sleeping on a futex, and the writer only calls the kernel when the
/// reader sleeps.
///
/// `@unchecked Sendable`: immutable but for atomics in shm and `Mutex`-guarded caches.
public final class RingBuffer: @unchecked Sendable {
    /// Slots in a ring.
    public static let slots = 1024
    /// Packets a ring holds (one slot stays free, as in the reference).
    public static let capacity = slots - 1

    static let magic: UInt64 = 0x4646_5542_5255_4f4f // "OOURBUFF"
    static let version: UInt32 = 1
    static let aclOffset = 64
    static let headOffset = 128
    static let tailOffset = 192
    static let dataEventOffset = 256
    static let spaceEventOffset = 320
    static let slotsOffset = 384
    static let size = slotsOffset + slots * 4

    /// The mapping.
    public let memory: SharedMemory
    /// How long a blocked reader or writer spins before it sleeps in the kernel.
    public let spinNanoseconds: UInt64
    private let aclWord: UnsafeMutablePointer<Atomic<UInt32>>
    private let head: UnsafeMutablePointer<Atomic<UInt32>>
    private let tail: UnsafeMutablePointer<Atomic<UInt32>>
    private let ring: UnsafeMutablePointer<UInt32>
    private let dataEvent: ShmEvent
    private let spaceEvent: ShmEvent
    /// The writer's last look at `tail`, and the lock serialising writers.
    private let writer = Mutex<UInt32>(0)
    /// The reader's last look at `head`, and the lock serialising readers.
    private let reader = Mutex<UInt32>(0)

    private init(memory: SharedMemory, spin: UInt64) {
        self.memory = memory
        spinNanoseconds = spin
        aclWord = memory.pointer(Self.aclOffset, as: Atomic<UInt32>.self)
        head = memory.pointer(Self.headOffset, as: Atomic<UInt32>.self)
        tail = memory.pointer(Self.tailOffset, as: Atomic<UInt32>.self)
        ring = memory.pointer(Self.slotsOffset, as: UInt32.self)
        dataEvent = ShmEvent(memory, at: Self.dataEventOffset)
        spaceEvent = ShmEvent(memory, at: Self.spaceEventOffset)
        let t = tail.pointee.load(ordering: .acquiring)
        writer.withLock { $0 = t }
        let h = head.pointee.load(ordering: .acquiring)
        reader.withLock { $0 = h }
    }

    // MARK: - Lifecycle

    /// Creates an empty read-write ring called `name` with exactly `mode`. With
    /// `replace` a stale object of that name is unlinked first, otherwise `EEXIST`.
    public static func create(name: String, readerPID: Int32 = 0, mode: mode_t = 0o666,
                              replace: Bool = false,
                              spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(OuroError) -> RingBuffer {
        let memory = try SharedMemory.create(name: name, size: size, mode: mode, replace: replace)
        memory.base.storeBytes(of: version, toByteOffset: 8, as: UInt32.self)
        memory.base.storeBytes(of: UInt32(slots), toByteOffset: 12, as: UInt32.self)
        memory.base.storeBytes(of: readerPID, toByteOffset: 16, as: Int32.self)
        memory.pointer(0, as: Atomic<UInt64>.self).pointee.store(magic, ordering: .releasing)
        return RingBuffer(memory: memory, spin: spinNanoseconds)
    }

    /// Creates the receive ring of process `pid` for flow `flowID` (irmd).
    public static func create(in instance: Instance, pid: Int32, flowID: Int,
                              replace: Bool = true) throws(OuroError) -> RingBuffer {
        try create(name: instance.ringName(pid: pid, flowID: flowID), readerPID: pid, replace: replace)
    }

    /// Opens an existing ring. `ENOENT` if absent, `EINVAL` if it is no ring.
    public static func open(name: String, spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(OuroError) -> RingBuffer {
        let memory = try SharedMemory.open(name: name)
        guard memory.size >= size,
              memory.pointer(0, as: Atomic<UInt64>.self).pointee.load(ordering: .acquiring) == magic,
              memory.base.load(fromByteOffset: 8, as: UInt32.self) == version
        else { throw OuroError.invalid }
        return RingBuffer(memory: memory, spin: spinNanoseconds)
    }

    /// Opens the receive ring of process `pid` for flow `flowID`.
    public static func open(in instance: Instance, pid: Int32, flowID: Int,
                            spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(OuroError) -> RingBuffer {
        try open(name: instance.ringName(pid: pid, flowID: flowID), spinNanoseconds: spinNanoseconds)
    }

    /// Removes the ring's name; mappings stay valid until closed.
    @discardableResult
    public static func destroy(name: String) -> Bool { SharedMemory.unlink(name: name) }

    /// The pid of the reading process given at creation (0 if none).
    public var readerPID: Int32 { memory.base.load(fromByteOffset: 16, as: Int32.self) }

    // MARK: - State

    /// The access bits. Setting one wakes every waiter on both sides so that
    /// they re-evaluate it.
    public var acl: RingACL {
        get { RingACL(rawValue: aclWord.pointee.load(ordering: .acquiring)) }
        set {
            aclWord.pointee.store(newValue.rawValue, ordering: .sequentiallyConsistent)
            dataEvent.wakeAll()
            spaceEvent.wakeAll()
        }
    }

    /// Packets queued.
    public var count: Int {
        let t = tail.pointee.load(ordering: .acquiring)
        return Int(head.pointee.load(ordering: .acquiring) &- t)
    }

    /// True when nothing is queued.
    public var isEmpty: Bool { count == 0 }

    // MARK: - Writing

    @inline(__always)
    private func tryPush(_ value: UInt32) -> Bool {
        writer.withLock { cachedTail -> Bool in
            let h = head.pointee.load(ordering: .acquiring)
            if h &- cachedTail >= UInt32(Self.capacity) {
                cachedTail = tail.pointee.load(ordering: .acquiring)
                if h &- cachedTail >= UInt32(Self.capacity) { return false }
            }
            ring[Int(h) & (Self.slots - 1)] = value
            head.pointee.store(h &+ 1, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Queues a block offset. `EFLOWDOWN` if the flow is down, `ENOTALLOC` if
    /// the ring is read-only; when full, `EAGAIN` (`.nonBlocking`), else waits
    /// for room: `EFLOWDOWN` if the flow goes down meanwhile, `ETIMEDOUT` at the
    /// deadline.
    public func write(_ offset: Int, _ mode: WaitMode = .forever) throws(OuroError) {
        let a = aclWord.pointee.load(ordering: .relaxed)
        if a & RingACL.flowDown.rawValue != 0 { throw OuroError.flowDown }
        if a & RingACL.readOnly.rawValue != 0 { throw OuroError.notAllocated }
        let value = UInt32(truncatingIfNeeded: offset)
        while true {
            if tryPush(value) {
                dataEvent.signal()
                return
            }
            if mode == .nonBlocking { throw OuroError.again }
            var down = false
            let ready = spaceEvent.wait(mode, spin: spinNanoseconds) {
                if aclWord.pointee.load(ordering: .relaxed) & RingACL.flowDown.rawValue != 0 {
                    down = true
                    return true
                }
                return count < Self.capacity
            }
            if down { throw OuroError.flowDown }
            if !ready { throw OuroError.timedOut }
        }
    }

    /// Waits until fewer than `limit` packets are queued: a writer's bound on
    /// how much of the pool one flow may hold. `EFLOWDOWN` if the flow goes
    /// down meanwhile; `EAGAIN` (`.nonBlocking`) or `ETIMEDOUT` at the deadline.
    public func waitForRoom(below limit: Int, _ mode: WaitMode = .forever) throws(OuroError) {
        if count < limit { return }
        if mode == .nonBlocking { throw OuroError.again }
        var down = false
        let ready = spaceEvent.wait(mode, spin: spinNanoseconds) {
            if aclWord.pointee.load(ordering: .relaxed) & RingACL.flowDown.rawValue != 0 {
                down = true
                return true
            }
            return count < limit
        }
        if down { throw OuroError.flowDown }
        if !ready { throw OuroError.timedOut }
    }

    // MARK: - Reading

    @inline(__always)
    private func tryPop() -> Int? {
        reader.withLock { cachedHead -> Int? in
            let t = tail.pointee.load(ordering: .acquiring)
            // The cached head is only a hint: another mapping of this ring (irmd
            // draining it) may have moved the tail past it.
            var available = cachedHead &- t
            if available == 0 || available > UInt32(Self.slots) {
                cachedHead = head.pointee.load(ordering: .acquiring)
                available = cachedHead &- t
                if available == 0 || available > UInt32(Self.slots) { return nil }
            }
            let value = ring[Int(t) & (Self.slots - 1)]
            tail.pointee.store(t &+ 1, ordering: .sequentiallyConsistent)
            return Int(value)
        }
    }

    /// The error an empty ring reports for its ACL, if any.
    @inline(__always)
    private func emptyError() -> OuroError? {
        let a = aclWord.pointee.load(ordering: .acquiring)
        if a & RingACL.flowDown.rawValue != 0 { return .flowDown }
        if a & RingACL.flowPeer.rawValue != 0 { return .flowPeer }
        return nil
    }

    /// Takes the oldest block offset. Queued packets are still delivered after
    /// FLOWDOWN/FLOWPEER; an empty ring then reports `EFLOWDOWN` (checked first)
    /// or `EFLOWPEER`. Otherwise an empty ring gives `EAGAIN` (`.nonBlocking`)
    /// or waits: `ETIMEDOUT` at the deadline.
    public func read(_ mode: WaitMode = .forever) throws(OuroError) -> Int {
        while true {
            if let v = tryPop() {
                spaceEvent.signal()
                return v
            }
            if let e = emptyError() {
                // A write that passed its ACL check before the flag was set may
                // have landed since the ring looked empty.
                if let v = tryPop() {
                    spaceEvent.signal()
                    return v
                }
                throw e
            }
            if mode == .nonBlocking { throw OuroError.again }
            let ready = dataEvent.wait(mode, spin: spinNanoseconds) {
                head.pointee.load(ordering: .acquiring) != tail.pointee.load(ordering: .relaxed)
                    || aclWord.pointee.load(ordering: .relaxed) & (RingACL.flowDown.rawValue | RingACL.flowPeer.rawValue) != 0
            }
            if !ready { throw OuroError.timedOut }
        }
    }

    /// Waits until the reader has taken everything (the reference's `fini`,
    /// which waits forever); `ETIMEDOUT` at the deadline, `EAGAIN` if
    /// `.nonBlocking` and not empty.
    public func waitUntilEmpty(_ mode: WaitMode = .forever) throws(OuroError) {
        if spaceEvent.wait(mode, spin: spinNanoseconds, until: { count == 0 }) { return }
        throw mode == .nonBlocking ? OuroError.again : OuroError.timedOut
    }

    /// Takes every queued offset at once (irmd, when it destroys the ring of a
    /// deallocated flow and frees what nobody will read).
    public func drain() -> [Int] {
        var out: [Int] = []
        while let v = tryPop() { out.append(v) }
        if !out.isEmpty { spaceEvent.signal() }
        return out
    }
}
