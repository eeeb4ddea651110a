/// Counts numbered packets: how many came, how many of the numbers up to
/// the highest seen never came, and how many came after a higher one.
public struct SequenceTally: Equatable, Sendable {
    public private(set) var received = 0
    public private(set) var outOfOrder = 0
    /// One past the highest number seen.
    public private(set) var next: UInt64 = 0

    public init() {}

    public mutating func add(_ seq: UInt64) {
        received += 1
        if seq >= next {
            next = seq &+ 1
        } else {
            outOfOrder += 1
        }
    }

    /// Numbers below the highest seen that did not arrive (duplicates aside).
    public var lost: Int { max(Int(clamping: next) - received, 0) }
}
