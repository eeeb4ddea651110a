/// The receiver's reorder queue (spec host.md §6.3): 256 slots indexed by
/// `seqno mod 256`, each empty or holding one packet.
struct ReorderQueue<Element> {
    static var capacity: Int { 256 }

    private var slots: [Element?] = Array(repeating: nil, count: 256)
    /// Packets held.
    private(set) var count = 0

    init() {}

    @inline(__always)
    private static func index(_ seqno: UInt32) -> Int { Int(seqno & UInt32(capacity - 1)) }

    /// Whether the slot of `seqno` holds a packet.
    func isOccupied(_ seqno: UInt32) -> Bool { slots[Self.index(seqno)] != nil }

    /// Stores `element` in the slot of `seqno`; false (nothing stored) if occupied.
    mutating func insert(_ element: Element, at seqno: UInt32) -> Bool {
        let i = Self.index(seqno)
        guard slots[i] == nil else { return false }
        slots[i] = element
        count += 1
        return true
    }

    /// Takes the packet in the slot of `seqno`, if any.
    mutating func take(_ seqno: UInt32) -> Element? {
        let i = Self.index(seqno)
        guard let e = slots[i] else { return nil }
        slots[i] = nil
        count -= 1
        return e
    }

    /// The first occupied slot from `seqno` up to (not including) `end`, as a
    /// sequence number (`end` at most one capacity further).
    func firstOccupied(from seqno: UInt32, before end: UInt32) -> UInt32? {
        guard count > 0 else { return nil }
        let n = min(end &- seqno, UInt32(Self.capacity))
        for k in 0..<n where slots[Self.index(seqno &+ k)] != nil { return seqno &+ k }
        return nil
    }

    /// Empties the queue, returning what it held.
    mutating func removeAll() -> [Element] {
        let held = slots.compactMap { $0 }
        slots = Array(repeating: nil, count: Self.capacity)
        count = 0
        return held
    }
}
