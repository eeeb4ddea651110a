/// A view of one allocated block of a `PacketPool`: the packet occupies
/// `head..<tail` of the block's data area, with headroom in front for lower
/// layers' headers and tailroom behind for trailers.
///
/// Block header (28 bytes, then the data area), all fields 32-bit:
/// `next` (free-list link, pool offset), `refcount` (atomic), `owner` (pid of the
/// process responsible for the block, 0 while free or in flight through a ring),
/// `capacity` (data bytes), `head`, `tail`, `sizeClass`.
///
/// `@unchecked Sendable`: it is a pointer into the pool's mapping, valid while
/// the pool is open; `head`/`tail` belong to whoever holds the block.
public struct PacketBuffer: @unchecked Sendable {
    static let headerSize = 28
    static let nextField = 0
    static let refcountField = 4
    static let ownerField = 8
    static let capacityField = 12
    static let headField = 16
    static let tailField = 20
    static let classField = 24

    /// The block's byte offset in its pool: what travels through ring buffers.
    public let offset: Int
    let block: UnsafeMutableRawPointer

    init(block: UnsafeMutableRawPointer, offset: Int) {
        self.block = block
        self.offset = offset
    }

    @inline(__always) private func field(_ at: Int) -> Int { Int(block.load(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always) private func setField(_ at: Int, _ v: Int) { block.storeBytes(of: UInt32(truncatingIfNeeded: v), toByteOffset: at, as: UInt32.self) }

    /// Bytes in the data area (object size − 28).
    public var capacity: Int { field(Self.capacityField) }
    /// Start of the packet within the data area.
    public var head: Int { field(Self.headField) }
    /// End of the packet within the data area.
    public var tail: Int { field(Self.tailField) }
    /// Packet length.
    public var length: Int { tail - head }
    /// Free bytes in front of the packet.
    public var headroom: Int { head }
    /// Free bytes behind the packet.
    public var tailroom: Int { capacity - tail }
    /// The size class the block belongs to.
    public var sizeClass: Int { field(Self.classField) }

    /// The packet bytes.
    public var bytes: UnsafeMutableRawBufferPointer {
        let h = head
        return UnsafeMutableRawBufferPointer(start: block + Self.headerSize + h, count: tail - h)
    }

    /// Grows the packet by `n` bytes at the front and returns them; `ENOMEM`
    /// when the headroom is smaller.
    @discardableResult
    public func headAlloc(_ n: Int) throws(OuroError) -> UnsafeMutableRawBufferPointer {
        let h = head
        guard n >= 0, n <= h else { throw OuroError.noMemory }
        setField(Self.headField, h - n)
        return UnsafeMutableRawBufferPointer(start: block + Self.headerSize + h - n, count: n)
    }

    /// Grows the packet by `n` bytes at the end and returns them; `ENOMEM` when
    /// the tailroom is smaller. The reference refuses `tail + n == capacity`
    /// (one tailroom byte never usable); a purely local quirk, fixed here.
    @discardableResult
    public func tailAlloc(_ n: Int) throws(OuroError) -> UnsafeMutableRawBufferPointer {
        let t = tail
        guard n >= 0, t + n <= capacity else { throw OuroError.noMemory }
        setField(Self.tailField, t + n)
        return UnsafeMutableRawBufferPointer(start: block + Self.headerSize + t, count: n)
    }

    /// Drops `n` bytes from the front (a consumed header); `EINVAL` beyond the packet.
    public func headRelease(_ n: Int) throws(OuroError) {
        guard n >= 0, n <= length else { throw OuroError.invalid }
        setField(Self.headField, head + n)
    }

    /// Drops `n` bytes from the end (a consumed trailer); `EINVAL` beyond the packet.
    public func tailRelease(_ n: Int) throws(OuroError) {
        guard n >= 0, n <= length else { throw OuroError.invalid }
        setField(Self.tailField, tail - n)
    }

    /// Sets the packet length, keeping its start; `EINVAL` beyond the data area.
    public func truncate(to length: Int) throws(OuroError) {
        let h = head
        guard length >= 0, h + length <= capacity else { throw OuroError.invalid }
        setField(Self.tailField, h + length)
    }

    /// Places the packet at `head` with `length` bytes (a fresh layout).
    func reset(head: Int, length: Int) {
        setField(Self.headField, head)
        setField(Self.tailField, head + length)
    }
}
