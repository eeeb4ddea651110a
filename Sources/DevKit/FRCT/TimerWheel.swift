/// A hierarchical timer wheel on the monotonic clock (spec host.md §6.8).
///
/// Level `L` has `slotCount` slots of `2^(resolutionShift + L·levelShift)` ns.
/// An entry due after `delay` goes to the lowest level whose span holds it, in
/// the slot `(now/width + delay/width + 1) mod slotCount`, so it never fires
/// early by more than one slot width and never in the slot being processed.
/// A delay that does not fit the top level cannot be scheduled.
///
/// The FRCT retransmission wheel is 3 × 256 slots from 2^20 ns, ×16 per level
/// (≈ 1 ms, 16.8 ms, 268 ms: at most ≈ 68.7 s); the delayed-ACK wheel is one
/// level of 256 slots of 2^18 ns.
struct TimerWheel<Element> {
    let resolutionShift: Int
    let levelShift: Int
    let slotCount: Int
    private var slots: [[[Element]]]
    /// Per level, the absolute slot number processed last.
    private var processed: [UInt64]
    /// Entries scheduled.
    private(set) var count = 0

    init(resolutionShift: Int, levelShift: Int = 4, levels: Int = 1, slotCount: Int = 256, now: UInt64) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "slot count must be a power of 2")
        self.resolutionShift = resolutionShift
        self.levelShift = levelShift
        self.slotCount = slotCount
        slots = Array(repeating: Array(repeating: [], count: slotCount), count: levels)
        processed = (0..<levels).map { l in (now >> UInt64(resolutionShift + l * levelShift)) &- 1 }
    }

    var levels: Int { slots.count }
    var isEmpty: Bool { count == 0 }

    /// Where an entry due `delay` ns after `now` goes; nil when it is too far.
    func position(delay: UInt64, now: UInt64) -> (level: Int, slot: Int)? {
        var s = delay >> UInt64(resolutionShift)
        var base = now >> UInt64(resolutionShift)
        var level = 0
        while s >= UInt64(slotCount) {
            level += 1
            s >>= UInt64(levelShift)
            base >>= UInt64(levelShift)
        }
        guard level < levels else { return nil }
        return (level, Int((base &+ s &+ 1) & UInt64(slotCount - 1)))
    }

    /// Schedules `element` `delay` ns after `now`; false when it does not fit.
    @discardableResult
    mutating func schedule(_ element: Element, delay: UInt64, now: UInt64) -> Bool {
        guard let p = position(delay: delay, now: now) else { return false }
        slots[p.level][p.slot].append(element)
        count += 1
        return true
    }

    /// Takes every entry whose slot the clock has passed by `now`, level by
    /// level, oldest slot first. A clock jump longer than a whole turn of a
    /// level processes that level's slots once.
    mutating func expire(now: UInt64) -> [Element] {
        var due: [Element] = []
        guard count > 0 else {
            for l in 0..<levels { processed[l] = now >> UInt64(resolutionShift + l * levelShift) }
            return due
        }
        for l in 0..<levels {
            let current = now >> UInt64(resolutionShift + l * levelShift)
            let ahead = current &- processed[l]
            // A clock read older than the last expiry: nothing new is due.
            if ahead > UInt64(Int64.max) { continue }
            let steps = min(ahead, UInt64(slotCount))
            var k: UInt64 = 0
            while k < steps {
                k += 1
                let i = Int((current &- steps &+ k) & UInt64(slotCount - 1))
                if !slots[l][i].isEmpty {
                    due.append(contentsOf: slots[l][i])
                    count -= slots[l][i].count
                    slots[l][i].removeAll(keepingCapacity: true)
                }
            }
            processed[l] = current
        }
        return due
    }

    /// Empties the wheel, returning every entry.
    mutating func removeAll() -> [Element] {
        var all: [Element] = []
        for l in 0..<levels {
            for i in 0..<slotCount where !slots[l][i].isEmpty {
                all.append(contentsOf: slots[l][i])
                slots[l][i].removeAll()
            }
        }
        count = 0
        return all
    }
}

extension TimerWheel: Sendable where Element: Sendable {}
