import Synchronization

/// One mapped flow of this process: its two rings, the peer's flow set, and
/// the per-flow settings `fccntl` changes (spec host.md §4.2).
final class FlowEndpoint: Sendable {
    let fd: Int32
    let flowID: Int
    let peerPid: Int32
    let qos: QoSSpec
    let mpl: UInt32
    /// Where this process reads from: its own ring for the flow.
    let rx: RingBuffer
    /// Where it writes to: the peer's ring.
    let tx: RingBuffer
    /// The peer's flow sets, told about every packet written.
    let peerSet: FlowSet
    /// The pool the flow's packets live in.
    let pool: PacketPool
    /// FRCT, on flows whose QoS asks for order (`in_order`).
    let frct: FRCTInstance?

    struct Settings: Sendable {
        var flags: FlowFlags = .default
        var receiveTimeout: Duration?
        var sendTimeout: Duration?
        /// A packet partly read: its offset and how much was consumed.
        var partial: (offset: Int, consumed: Int)?
        /// The previous read filled the buffer exactly with the rest of a packet:
        /// the next read returns 0 (end of message), as the reference does.
        var endOfMessage = false
        var lastReceive = Deadline.now
        var lastSend = Deadline.now
        var peerTimedOut = false
    }

    let settings: Mutex<Settings>
    /// Serialises readers (the rx ring has one consumer).
    let readLock = Mutex(())
    /// Serialises writers (the tx ring has one producer).
    let writeLock = Mutex(())

    init(fd: Int32, flowID: Int, peerPid: Int32, qos: QoSSpec, mpl: UInt32, rx: RingBuffer, tx: RingBuffer,
         peerSet: FlowSet, pool: PacketPool, frct: FRCTInstance?) {
        self.fd = fd
        self.flowID = flowID
        self.peerPid = peerPid
        self.qos = qos
        self.mpl = mpl
        self.rx = rx
        self.tx = tx
        self.peerSet = peerSet
        self.pool = pool
        self.frct = frct
        self.settings = Mutex(Settings())
    }

    /// How many packets of `length` bytes this flow may have queued towards its
    /// peer: a quarter of the pool's blocks of that size. Without such a bound
    /// one flooding flow takes every block of its class, and two processes that
    /// echo to each other then both wait for a block forever.
    func sendWindow(length: Int) -> Int {
        guard let c = try? pool.sizeClass(forPayload: length) else { return RingBuffer.capacity }
        return min(RingBuffer.capacity, max(8, pool.geometry.blockCounts[c] / 4))
    }

    /// Allocates a block for a packet to send, like the pool's blocking
    /// allocation but giving up with `EFLOWDOWN` once the flow goes down (a
    /// peer that left never frees what it did not read).
    func allocate(length: Int, _ mode: WaitMode) throws(OuroError) -> PacketBuffer {
        let slice: UInt64 = 20_000_000
        while true {
            do {
                return try pool.allocate(length: length, .nonBlocking)
            } catch {
                if error != .again { throw error }
            }
            if tx.acl.contains(.flowDown) { throw OuroError.flowDown }
            let until: Deadline
            switch mode {
            case .nonBlocking:
                throw OuroError.again
            case .forever:
                until = Deadline.now.adding(nanoseconds: slice)
            case .until(let d):
                if d.hasPassed { throw OuroError.timedOut }
                until = min(d, Deadline.now.adding(nanoseconds: slice))
            }
            do {
                return try pool.allocate(length: length, .until(until))
            } catch {
                if error != .timedOut { throw error }
            }
        }
    }

    /// The wait mode of a blocking operation with an optional timeout.
    static func mode(nonBlocking: Bool, timeout: Duration?) -> WaitMode {
        if nonBlocking { return .nonBlocking }
        guard let t = timeout else { return .forever }
        let (s, atto) = t.components
        let ns = UInt64(max(s, 0)) * 1_000_000_000 + UInt64(max(atto, 0) / 1_000_000_000)
        return .until(Deadline.now.adding(nanoseconds: ns))
    }
}
