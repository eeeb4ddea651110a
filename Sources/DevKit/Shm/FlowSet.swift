#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Event types of a flow set (spec §4.5), bit values as in the reference.
public struct FlowEventType: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// A packet was queued on the flow.
    public static let packet = FlowEventType(rawValue: 0x01)
    /// The flow went down.
    public static let down = FlowEventType(rawValue: 0x02)
    /// The flow came back up.
    public static let up = FlowEventType(rawValue: 0x04)
    /// Defined by the reference, never generated.
    public static let alloc = FlowEventType(rawValue: 0x08)
    /// The peer deallocated the flow.
    public static let dealloc = FlowEventType(rawValue: 0x10)
    /// The peer timed out.
    public static let peer = FlowEventType(rawValue: 0x20)
}

/// One event of a flow set.
public struct FlowEvent: Sendable, Hashable {
    public let flowID: Int
    public let type: FlowEventType
    public init(flowID: Int, type: FlowEventType) {
        self.flowID = flowID
        self.type = type
    }
}

/// The flow sets of one process (`set.<pid>`): 32 sets, each flow id in at most
/// one of them, and per set a FIFO of events that other processes post.
///
/// Layout (ours): magic (8 bytes, written last), version, owner pid; from 64 the
/// set of every flow id (10240 32-bit words, set + 1, 0 = none); then per set a
/// 64-byte record (robust process-shared mutex, queued-event count, overflow
/// flag, wake-up channel) followed by its queue of 1024 `{flow id, event}`
/// pairs; then, per flow id, the overflow record (coalesced event bits and a
/// packet-event count).
///
/// When a set's queue is full further events are not lost and corrupt nothing
/// (the reference overruns the queue): they are coalesced per flow in the
/// overflow records and delivered after the queued ones, every packet event
/// counted, the other types once each (of DOWN/UP only the latest).
///
/// Posting takes the set's mutex for a few stores; it is robust, so a poster
/// killed while holding it only costs the next locker an `EOWNERDEAD` recovery.
/// The waiter never holds it while sleeping.
///
/// `@unchecked Sendable`: immutable but for shm state under its own synchronisation.
public final class FlowSet: @unchecked Sendable {
    /// Sets per process.
    public static let setCount = 32
    /// Flow ids a process can have.
    public static let flowIDCount = 10240
    /// Events a set queues before it coalesces.
    public static let queueCapacity = 1024

    static let magic: UInt64 = 0x5445_5357_4f4c_4646 // "FFLOWSET"
    static let version: UInt32 = 1
    static let tableOffset = 64
    static let setsOffset = tableOffset + flowIDCount * 4
    static let recordSize = 64
    static let setSize = recordSize + queueCapacity * 8
    static let overflowOffset = setsOffset + setCount * setSize
    static let size = overflowOffset + flowIDCount * 8
    static let countField = 40
    static let overflowField = 44
    static let eventField = 48

    /// The mapping.
    public let memory: SharedMemory
    /// How long a waiter spins before it sleeps in the kernel.
    public let spinNanoseconds: UInt64
    private let base: UnsafeMutableRawPointer

    private init(memory: SharedMemory, spin: UInt64) {
        self.memory = memory
        spinNanoseconds = spin
        base = memory.base
    }

    // MARK: - Lifecycle

    /// Creates the flow sets called `name` (empty, every flow in no set) with
    /// exactly `mode`. With `replace` a stale object is unlinked first,
    /// otherwise `EEXIST`.
    public static func create(name: String, ownerPID: Int32 = 0, mode: mode_t = 0o666,
                              replace: Bool = false,
                              spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(OuroError) -> FlowSet {
        let memory = try SharedMemory.create(name: name, size: size, mode: mode, replace: replace)
        memory.base.storeBytes(of: version, toByteOffset: 8, as: UInt32.self)
        memory.base.storeBytes(of: ownerPID, toByteOffset: 12, as: Int32.self)
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_setpshared(&attr, Int32(PTHREAD_PROCESS_SHARED))
        pthread_mutexattr_setrobust(&attr, Int32(PTHREAD_MUTEX_ROBUST))
        for s in 0..<setCount {
            pthread_mutex_init(memory.pointer(setsOffset + s * setSize, as: pthread_mutex_t.self), &attr)
        }
        pthread_mutexattr_destroy(&attr)
        memory.pointer(0, as: Atomic<UInt64>.self).pointee.store(magic, ordering: .releasing)
        return FlowSet(memory: memory, spin: spinNanoseconds)
    }

    /// Creates the flow sets of process `pid` (irmd), replacing a stale object.
    public static func create(in instance: Instance, pid: Int32) throws(OuroError) -> FlowSet {
        try create(name: instance.flowSetName(pid: pid), ownerPID: pid, replace: true)
    }

    /// Opens existing flow sets. `ENOENT` if absent, `EINVAL` if not flow sets.
    public static func open(name: String, spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(OuroError) -> FlowSet {
        let memory = try SharedMemory.open(name: name)
        guard memory.size >= size,
              memory.pointer(0, as: Atomic<UInt64>.self).pointee.load(ordering: .acquiring) == magic,
              memory.base.load(fromByteOffset: 8, as: UInt32.self) == version
        else { throw OuroError.invalid }
        return FlowSet(memory: memory, spin: spinNanoseconds)
    }

    /// Opens the flow sets of process `pid`.
    public static func open(in instance: Instance, pid: Int32) throws(OuroError) -> FlowSet {
        try open(name: instance.flowSetName(pid: pid))
    }

    /// Removes the name; mappings stay valid until closed.
    @discardableResult
    public static func destroy(name: String) -> Bool { SharedMemory.unlink(name: name) }

    // MARK: - Pieces

    @inline(__always)
    private func member(_ flowID: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        memory.pointer(Self.tableOffset + flowID * 4, as: Atomic<UInt32>.self)
    }

    @inline(__always)
    private func record(_ set: Int) -> Int { Self.setsOffset + set * Self.setSize }

    @inline(__always)
    private func count(_ set: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        memory.pointer(record(set) + Self.countField, as: Atomic<UInt32>.self)
    }

    @inline(__always)
    private func overflowFlag(_ set: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        memory.pointer(record(set) + Self.overflowField, as: Atomic<UInt32>.self)
    }

    private func event(_ set: Int) -> ShmEvent { ShmEvent(memory, at: record(set) + Self.eventField) }

    private func slot(_ set: Int, _ i: Int) -> UnsafeMutableRawPointer {
        base + record(set) + Self.recordSize + i * 8
    }

    private func overflow(_ flowID: Int) -> UnsafeMutableRawPointer { base + Self.overflowOffset + flowID * 8 }

    /// Runs `body` under the set's robust mutex, recovering it from a dead holder.
    private func locked<T>(_ set: Int, _ body: () -> T) -> T {
        let m = memory.pointer(record(set), as: pthread_mutex_t.self)
        if pthread_mutex_lock(m) == EOWNERDEAD { pthread_mutex_consistent(m) }
        defer { pthread_mutex_unlock(m) }
        return body()
    }

    private func valid(set: Int, flowID: Int) -> Bool {
        (0..<Self.setCount).contains(set) && (0..<Self.flowIDCount).contains(flowID)
    }

    // MARK: - Membership

    /// Puts `flowID` in `set`; `EPERM` if it already is in a set, `EINVAL` out of range.
    public func add(_ flowID: Int, to set: Int) throws(OuroError) {
        guard valid(set: set, flowID: flowID) else { throw OuroError.invalid }
        guard member(flowID).pointee.compareExchange(expected: 0, desired: UInt32(set + 1),
                                                     ordering: .acquiringAndReleasing).exchanged
        else { throw OuroError.permission }
    }

    /// Takes `flowID` out of `set` (nothing if it is in another set), dropping
    /// its coalesced events.
    public func remove(_ flowID: Int, from set: Int) {
        guard valid(set: set, flowID: flowID) else { return }
        locked(set) {
            if member(flowID).pointee.compareExchange(expected: UInt32(set + 1), desired: 0,
                                                      ordering: .acquiringAndReleasing).exchanged {
                overflow(flowID).storeBytes(of: 0, as: UInt64.self)
            }
        }
    }

    /// Whether `flowID` is in `set`.
    public func contains(_ flowID: Int, in set: Int) -> Bool {
        valid(set: set, flowID: flowID) && member(flowID).pointee.load(ordering: .acquiring) == UInt32(set + 1)
    }

    /// The set `flowID` is in, if any.
    public func set(of flowID: Int) -> Int? {
        guard (0..<Self.flowIDCount).contains(flowID) else { return nil }
        let s = member(flowID).pointee.load(ordering: .acquiring)
        return s == 0 ? nil : Int(s) - 1
    }

    /// Empties `set`: no flows, no pending events.
    public func zero(_ set: Int) {
        guard (0..<Self.setCount).contains(set) else { return }
        locked(set) {
            let tag = UInt32(set + 1)
            for f in 0..<Self.flowIDCount where member(f).pointee.load(ordering: .relaxed) == tag {
                member(f).pointee.store(0, ordering: .releasing)
                overflow(f).storeBytes(of: 0, as: UInt64.self)
            }
            count(set).pointee.store(0, ordering: .releasing)
            overflowFlag(set).pointee.store(0, ordering: .releasing)
        }
    }

    // MARK: - Events

    /// Posts `type` for `flowID` to the set the flow is in (dropped if none) and
    /// wakes that set's waiter. Never overruns a queue: see the type's notes.
    public func notify(_ flowID: Int, _ type: FlowEventType) {
        guard (0..<Self.flowIDCount).contains(flowID) else { return }
        let s = member(flowID).pointee.load(ordering: .acquiring)
        guard s != 0 else { return }
        let set = Int(s) - 1
        locked(set) {
            let n = Int(count(set).pointee.load(ordering: .relaxed))
            if n < Self.queueCapacity {
                let p = slot(set, n)
                p.storeBytes(of: Int32(flowID), as: Int32.self)
                p.storeBytes(of: type.rawValue, toByteOffset: 4, as: UInt32.self)
                count(set).pointee.store(UInt32(n + 1), ordering: .sequentiallyConsistent)
            } else {
                let o = overflow(flowID)
                var bits = o.load(as: UInt32.self)
                var packets = o.load(fromByteOffset: 4, as: UInt32.self)
                if type.contains(.packet) { packets &+= 1 }
                // Of DOWN and UP only the latest survives, so the state a
                // reader ends up with is the flow's current one.
                if type.contains(.up) { bits &= ~FlowEventType.down.rawValue }
                if type.contains(.down) { bits &= ~FlowEventType.up.rawValue }
                bits |= type.subtracting(.packet).rawValue
                o.storeBytes(of: bits, as: UInt32.self)
                o.storeBytes(of: packets, toByteOffset: 4, as: UInt32.self)
                overflowFlag(set).pointee.store(1, ordering: .sequentiallyConsistent)
            }
        }
        event(set).signal()
    }

    /// Events pending on `set`, without taking them.
    public func pendingCount(_ set: Int) -> Int {
        guard (0..<Self.setCount).contains(set) else { return 0 }
        return Int(count(set).pointee.load(ordering: .acquiring))
    }

    /// Waits for events on `set` and takes all of them, oldest first (coalesced
    /// overflow last). `EAGAIN` (`.nonBlocking`) or `ETIMEDOUT` when none came,
    /// `EINVAL` for a bad set.
    public func wait(_ set: Int, _ mode: WaitMode = .forever) throws(OuroError) -> [FlowEvent] {
        guard (0..<Self.setCount).contains(set) else { throw OuroError.invalid }
        let ready = event(set).wait(mode, spin: spinNanoseconds) {
            count(set).pointee.load(ordering: .acquiring) != 0
                || overflowFlag(set).pointee.load(ordering: .acquiring) != 0
        }
        guard ready else { throw mode == .nonBlocking ? OuroError.again : OuroError.timedOut }
        return locked(set) { takeAll(set) }
    }

    private func takeAll(_ set: Int) -> [FlowEvent] {
        let n = Int(count(set).pointee.load(ordering: .relaxed))
        var out: [FlowEvent] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let p = slot(set, i)
            out.append(FlowEvent(flowID: Int(p.load(as: Int32.self)),
                                 type: FlowEventType(rawValue: p.load(fromByteOffset: 4, as: UInt32.self))))
        }
        count(set).pointee.store(0, ordering: .releasing)
        guard overflowFlag(set).pointee.load(ordering: .relaxed) != 0 else { return out }
        let tag = UInt32(set + 1)
        for f in 0..<Self.flowIDCount where member(f).pointee.load(ordering: .relaxed) == tag {
            let o = overflow(f)
            let bits = o.load(as: UInt32.self)
            let packets = o.load(fromByteOffset: 4, as: UInt32.self)
            guard bits != 0 || packets != 0 else { continue }
            for _ in 0..<packets { out.append(FlowEvent(flowID: f, type: .packet)) }
            for bit in [FlowEventType.down, .up, .alloc, .dealloc, .peer] where bits & bit.rawValue != 0 {
                out.append(FlowEvent(flowID: f, type: bit))
            }
            o.storeBytes(of: 0, as: UInt64.self)
        }
        overflowFlag(set).pointee.store(0, ordering: .releasing)
        return out
    }
}
