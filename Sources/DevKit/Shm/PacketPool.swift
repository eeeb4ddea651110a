#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The shared packet pool: fixed-size blocks in nine size classes, addressed by
/// their byte offset in the pool, so that processes pass packets by offset
/// through ring buffers without copying them.
///
/// Layout (ours, not the reference's): a 4 KiB header, then one region per
/// populated size class in class order. Header: magic (8 bytes, written last by
/// the creator), version, class count, total size; at 64 + 64·c the record of
/// class c on its own cache line: free-list head (64 bits: a 32-bit ABA tag and
/// the offset of the first free block), the class's wake-up channel (futex
/// sequence + sleeper flag), object size, block count, region start.
///
/// Each class's free blocks form a lock-free Treiber stack: allocation and free
/// are one compare-and-swap each, a process killed at any instant leaves the
/// stack consistent, and nothing is ever held. Blocks carry the pid of the
/// process that owns them so `reclaim(pid:)` can return a dead process's blocks;
/// a block in flight through a ring buffer belongs to no process (`handOff`),
/// the reader `adopt`s it.
///
/// `@unchecked Sendable`: immutable after init except through atomics in shm.
public final class PacketPool: @unchecked Sendable {
    /// Object sizes of the nine size classes.
    public static let objectSizes = [256, 512, 1024, 2048, 4096, 16384, 65536, 262_144, 1_048_576]
    /// Bytes reserved in front of a fresh packet.
    public static let headroom = 256
    /// Bytes reserved behind a fresh packet.
    public static let tailroom = 32
    /// Bytes of block header in front of the data area.
    public static let blockHeaderSize = PacketBuffer.headerSize

    /// Block counts per size class.
    public struct Geometry: Sendable, Equatable {
        public let blockCounts: [Int]
        public init(blockCounts: [Int]) {
            precondition(blockCounts.count == PacketPool.objectSizes.count)
            self.blockCounts = blockCounts
        }
        /// The global shared packet pool (spec §0.5).
        public static let global = Geometry(blockCounts: [1024, 768, 512, 384, 256, 128, 64, 32, 16])
        /// A per-user pool (spec §0.5).
        public static let user = Geometry(blockCounts: [128, 96, 64, 48, 32, 16, 8, 2, 0])

        var dataSize: Int { zip(blockCounts, PacketPool.objectSizes).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    /// The largest payload a fresh block of `sizeClass` holds (object size − 28 − 256 − 32).
    public static func maxPayload(ofClass sizeClass: Int) -> Int {
        objectSizes[sizeClass] - blockHeaderSize - headroom - tailroom
    }

    static let magic: UInt64 = 0x4c4f_4f50_4f52_554f // "OUROPOOL"
    static let version: UInt32 = 1
    static let headerSize = 4096
    static let classRecord = 64
    static let freeHeadField = 0
    static let eventField = 8
    static let objectSizeField = 16
    static let blockCountField = 20
    static let regionStartField = 24

    /// The mapping.
    public let memory: SharedMemory
    /// Block counts per class of this pool.
    public let geometry: Geometry
    /// How long a blocked allocation spins before it sleeps in the kernel.
    /// None by default: an exhausted class means the readers are behind, and a
    /// sleeping writer lets them free a batch instead of trading every block in
    /// lock-step (measured: several times the throughput).
    public let spinNanoseconds: UInt64
    private let base: UnsafeMutableRawPointer
    private let regionStart: [Int]
    private let regionEnd: [Int]
    private let events: [ShmEvent]
    private let freeHeads: [UnsafeMutablePointer<Atomic<UInt64>>]
    private let pid: Int32

    private init(memory: SharedMemory, geometry: Geometry, spin: UInt64) {
        self.memory = memory
        self.geometry = geometry
        spinNanoseconds = spin
        base = memory.base
        var start = Self.headerSize
        var starts: [Int] = [], ends: [Int] = []
        for (count, size) in zip(geometry.blockCounts, Self.objectSizes) {
            starts.append(start)
            start += count * size
            ends.append(start)
        }
        regionStart = starts
        regionEnd = ends
        let classes = Self.objectSizes.indices
        events = classes.map { ShmEvent(memory, at: Self.classOffset($0) + Self.eventField) }
        freeHeads = classes.map { memory.pointer(Self.classOffset($0) + Self.freeHeadField, as: Atomic<UInt64>.self) }
        pid = getpid()
    }

    static func classOffset(_ c: Int) -> Int { 64 + c * classRecord }

    // MARK: - Lifecycle

    /// Creates and initialises a pool called `name` with exactly `mode`, owned
    /// by `uid`/`gid` when given. With `replace`, a stale object of that name
    /// (a crashed irmd's) is unlinked first, otherwise `EEXIST`.
    public static func create(name: String, geometry: Geometry, mode: mode_t,
                              uid: uid_t? = nil, gid: gid_t? = nil, replace: Bool = false,
                              spinNanoseconds: UInt64 = 0) throws(OuroError) -> PacketPool {
        let size = headerSize + geometry.dataSize
        precondition(size <= Int(UInt32.max), "pool offsets are 32-bit")
        let memory = try SharedMemory.create(name: name, size: size, mode: mode, uid: uid, gid: gid, replace: replace)
        let b = memory.base
        b.storeBytes(of: version, toByteOffset: 8, as: UInt32.self)
        b.storeBytes(of: UInt32(objectSizes.count), toByteOffset: 12, as: UInt32.self)
        b.storeBytes(of: UInt64(size), toByteOffset: 16, as: UInt64.self)
        var start = headerSize
        for c in objectSizes.indices {
            let rec = classOffset(c)
            let osize = objectSizes[c], count = geometry.blockCounts[c]
            b.storeBytes(of: UInt32(osize), toByteOffset: rec + objectSizeField, as: UInt32.self)
            b.storeBytes(of: UInt32(count), toByteOffset: rec + blockCountField, as: UInt32.self)
            b.storeBytes(of: UInt64(start), toByteOffset: rec + regionStartField, as: UInt64.self)
            // Chain the blocks in address order, the first on top.
            for i in 0..<count {
                let off = start + i * osize
                let blk = b + off
                let next = i + 1 < count ? off + osize : 0
                blk.storeBytes(of: UInt32(next), toByteOffset: PacketBuffer.nextField, as: UInt32.self)
                blk.storeBytes(of: UInt32(osize - PacketBuffer.headerSize), toByteOffset: PacketBuffer.capacityField, as: UInt32.self)
                blk.storeBytes(of: UInt32(c), toByteOffset: PacketBuffer.classField, as: UInt32.self)
            }
            memory.pointer(rec + freeHeadField, as: Atomic<UInt64>.self).pointee
                .store(count > 0 ? UInt64(start) : 0, ordering: .relaxed)
            start += count * osize
        }
        memory.pointer(0, as: Atomic<UInt64>.self).pointee.store(magic, ordering: .releasing)
        return PacketPool(memory: memory, geometry: geometry, spin: spinNanoseconds)
    }

    /// Opens an existing pool. `EACCES` without permission, `ENOENT` if absent,
    /// `EINVAL` if the object is not an initialised pool.
    public static func open(name: String,
                            spinNanoseconds: UInt64 = 0) throws(OuroError) -> PacketPool {
        let memory = try SharedMemory.open(name: name)
        guard memory.size >= headerSize,
              memory.pointer(0, as: Atomic<UInt64>.self).pointee.load(ordering: .acquiring) == magic,
              memory.base.load(fromByteOffset: 8, as: UInt32.self) == version,
              memory.base.load(fromByteOffset: 12, as: UInt32.self) == UInt32(objectSizes.count)
        else { throw OuroError.invalid }
        let counts = objectSizes.indices.map {
            Int(memory.base.load(fromByteOffset: classOffset($0) + blockCountField, as: UInt32.self))
        }
        let geometry = Geometry(blockCounts: counts)
        guard memory.size >= headerSize + geometry.dataSize else { throw OuroError.invalid }
        return PacketPool(memory: memory, geometry: geometry, spin: spinNanoseconds)
    }

    /// Removes the pool's name; mappings stay valid until closed.
    @discardableResult
    public static func destroy(name: String) -> Bool { SharedMemory.unlink(name: name) }

    /// Creates the instance's global pool: mode 0660, group `ouroboros` when
    /// that group exists. Replaces a stale one by default.
    public static func createGlobal(in instance: Instance, replace: Bool = true) throws(OuroError) -> PacketPool {
        try create(name: instance.globalPoolName, geometry: .global, mode: 0o660,
                   gid: ouroborosGroup(), replace: replace)
    }

    /// Creates the per-user pool of `uid`, owned by `uid`:`gid`, mode 0600.
    public static func createUser(in instance: Instance, uid: uid_t, gid: gid_t,
                                  replace: Bool = true) throws(OuroError) -> PacketPool {
        try create(name: instance.userPoolName(uid: uid), geometry: .user, mode: 0o600,
                   uid: uid, gid: gid, replace: replace)
    }

    /// Opens the instance's global pool.
    public static func openGlobal(in instance: Instance) throws(OuroError) -> PacketPool {
        try open(name: instance.globalPoolName)
    }

    /// Opens the per-user pool of `uid`.
    public static func openUser(in instance: Instance, uid: uid_t) throws(OuroError) -> PacketPool {
        try open(name: instance.userPoolName(uid: uid))
    }

    /// The gid of group `ouroboros`, if it exists.
    public static func ouroborosGroup() -> gid_t? {
        var grp = group()
        var result: UnsafeMutablePointer<group>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        let r = getgrnam_r("ouroboros", &grp, &buffer, buffer.count, &result)
        return r == 0 && result != nil ? grp.gr_gid : nil
    }

    // MARK: - Size classes

    /// The size class a fresh packet of `length` bytes is allocated from: the
    /// smallest populated class that fits it; `EMSGSIZE` when none does.
    public func sizeClass(forPayload length: Int) throws(OuroError) -> Int {
        let need = PacketBuffer.headerSize + Self.headroom + length + Self.tailroom
        guard length >= 0 else { throw OuroError.invalid }
        for c in Self.objectSizes.indices where geometry.blockCounts[c] > 0 && Self.objectSizes[c] >= need {
            return c
        }
        throw OuroError.messageSize
    }

    /// The class whose region holds `offset` if it is a block boundary.
    @inline(__always)
    private func classOf(offset: Int) -> Int? {
        for c in 0..<regionStart.count where offset >= regionStart[c] && offset < regionEnd[c] {
            return (offset - regionStart[c]) % Self.objectSizes[c] == 0 ? c : nil
        }
        return nil
    }

    // MARK: - Free lists

    @inline(__always)
    private func pop(_ c: Int) -> Int? {
        let head = freeHeads[c]
        var old = head.pointee.load(ordering: .acquiring)
        while true {
            let off = Int(truncatingIfNeeded: old & 0xffff_ffff)
            if off == 0 { return nil }
            let next = (base + off + PacketBuffer.nextField).assumingMemoryBound(to: Atomic<UInt32>.self)
                .pointee.load(ordering: .relaxed)
            let new = ((old >> 32) &+ 1) << 32 | UInt64(next)
            let (done, seen) = head.pointee.compareExchange(expected: old, desired: new,
                                                            ordering: .sequentiallyConsistent)
            if done { return off }
            old = seen
        }
    }

    @inline(__always)
    private func push(_ c: Int, _ off: Int) {
        let head = freeHeads[c]
        let next = (base + off + PacketBuffer.nextField).assumingMemoryBound(to: Atomic<UInt32>.self)
        var old = head.pointee.load(ordering: .relaxed)
        while true {
            next.pointee.store(UInt32(truncatingIfNeeded: old), ordering: .relaxed)
            let new = ((old >> 32) &+ 1) << 32 | UInt64(off)
            let (done, seen) = head.pointee.compareExchange(expected: old, desired: new,
                                                            ordering: .sequentiallyConsistent)
            if done { break }
            old = seen
        }
        events[c].signal()
    }

    @inline(__always)
    private func refcount(_ off: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        (base + off + PacketBuffer.refcountField).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    @inline(__always)
    private func owner(_ off: Int) -> UnsafeMutablePointer<Atomic<Int32>> {
        (base + off + PacketBuffer.ownerField).assumingMemoryBound(to: Atomic<Int32>.self)
    }

    // MARK: - Blocks

    /// Allocates a block for a `length`-byte packet (headroom 256 in front),
    /// owned by this process with one reference. Never falls back to a larger
    /// class: an exhausted class gives `EAGAIN` (`.nonBlocking`) or waits for a
    /// free (`ETIMEDOUT` at the deadline). `EMSGSIZE` beyond the largest class.
    public func allocate(length: Int, _ mode: WaitMode = .forever) throws(OuroError) -> PacketBuffer {
        let c = try sizeClass(forPayload: length)
        var got: Int? = nil
        let ok = events[c].wait(mode, spin: spinNanoseconds) {
            got = pop(c)
            return got != nil
        }
        guard ok, let off = got else { throw mode == .nonBlocking ? OuroError.again : OuroError.timedOut }
        refcount(off).pointee.store(1, ordering: .relaxed)
        owner(off).pointee.store(pid, ordering: .relaxed)
        let buffer = PacketBuffer(block: base + off, offset: off)
        buffer.reset(head: Self.headroom, length: length)
        return buffer
    }

    /// The allocated block at `offset`; `EINVAL` if `offset` is no block of this
    /// pool or the block is free.
    public func buffer(at offset: Int) throws(OuroError) -> PacketBuffer {
        guard classOf(offset: offset) != nil,
              refcount(offset).pointee.load(ordering: .acquiring) > 0 else { throw OuroError.invalid }
        return PacketBuffer(block: base + offset, offset: offset)
    }

    /// Adds a reference (FRCT keeps one on blocks it may retransmit).
    public func retain(_ offset: Int) throws(OuroError) {
        guard classOf(offset: offset) != nil else { throw OuroError.invalid }
        let rc = refcount(offset)
        var v = rc.pointee.load(ordering: .relaxed)
        while true {
            guard v > 0 else { throw OuroError.invalid }
            let (done, seen) = rc.pointee.compareExchange(expected: v, desired: v + 1, ordering: .acquiringAndReleasing)
            if done { return }
            v = seen
        }
    }

    /// Drops a reference; the last one returns the block to its free list and
    /// wakes allocators waiting on its class. `EINVAL` for a bad or free block.
    public func release(_ offset: Int) throws(OuroError) {
        guard let c = classOf(offset: offset) else { throw OuroError.invalid }
        let rc = refcount(offset)
        var v = rc.pointee.load(ordering: .relaxed)
        while true {
            guard v > 0 else { throw OuroError.invalid }
            let (done, seen) = rc.pointee.compareExchange(expected: v, desired: v - 1, ordering: .acquiringAndReleasing)
            if done { break }
            v = seen
        }
        guard v == 1 else { return }
        owner(offset).pointee.store(0, ordering: .relaxed)
        push(c, offset)
    }

    /// The number of references on the block at `offset` (0 when free).
    public func referenceCount(_ offset: Int) -> Int {
        guard classOf(offset: offset) != nil else { return 0 }
        return Int(refcount(offset).pointee.load(ordering: .relaxed))
    }

    /// The pid owning the block at `offset`; 0 when free or in flight.
    public func owner(of offset: Int) -> Int32 {
        guard classOf(offset: offset) != nil else { return 0 }
        return owner(offset).pointee.load(ordering: .relaxed)
    }

    /// Gives up this process's ownership before the block is pushed into a ring
    /// buffer: from then on `reclaim(pid:)` of the writer leaves it alone and the
    /// reader (or whoever drains the ring) frees it.
    @inline(__always)
    public func handOff(_ offset: Int) {
        guard classOf(offset: offset) != nil else { return }
        owner(offset).pointee.store(0, ordering: .relaxed)
    }

    /// Takes ownership of a block just read from a ring buffer.
    @inline(__always)
    public func adopt(_ offset: Int) {
        guard classOf(offset: offset) != nil else { return }
        owner(offset).pointee.store(pid, ordering: .relaxed)
    }

    /// Copies the packet at `offset` (head..tail only, fresh headroom) into a new
    /// block of `destination` and releases the source: the single copy a packet
    /// takes when it crosses between a per-user pool and the global pool.
    public func copy(_ offset: Int, into destination: PacketPool,
                     _ mode: WaitMode = .forever) throws(OuroError) -> PacketBuffer {
        let source = try buffer(at: offset)
        let n = source.length
        let target = try destination.allocate(length: n, mode)
        if n > 0 { target.bytes.baseAddress!.copyMemory(from: source.bytes.baseAddress!, byteCount: n) }
        try release(offset)
        return target
    }

    // MARK: - irmd

    /// Returns every block still owned by the (dead) process `pid` to its free
    /// list, whatever its reference count; blocks it handed to a ring stay with
    /// their reader. Returns the number of blocks reclaimed. Call only once
    /// `pid` is known dead.
    @discardableResult
    public func reclaim(pid dead: Int32) -> Int {
        guard dead > 0 else { return 0 }
        var n = 0
        for c in Self.objectSizes.indices {
            var off = regionStart[c]
            while off < regionEnd[c] {
                if owner(off).pointee.load(ordering: .relaxed) == dead,
                   refcount(off).pointee.exchange(0, ordering: .acquiringAndReleasing) > 0 {
                    owner(off).pointee.store(0, ordering: .relaxed)
                    push(c, off)
                    n += 1
                }
                off += Self.objectSizes[c]
            }
        }
        return n
    }

    /// The blocks of `sizeClass` currently on its free list (a walk; exact when
    /// the pool is quiet).
    public func freeCount(ofClass sizeClass: Int) -> Int {
        var n = 0
        var off = Int(truncatingIfNeeded: freeHeads[sizeClass].pointee.load(ordering: .acquiring) & 0xffff_ffff)
        while off != 0 && n <= geometry.blockCounts[sizeClass] {
            n += 1
            off = Int((base + off + PacketBuffer.nextField).assumingMemoryBound(to: Atomic<UInt32>.self)
                        .pointee.load(ordering: .relaxed))
        }
        return n
    }

    /// True when every class has all its blocks free.
    public var isFull: Bool {
        Self.objectSizes.indices.allSatisfy { freeCount(ofClass: $0) == geometry.blockCounts[$0] }
    }
}
