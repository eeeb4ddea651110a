/// The mb-ecn state of one N+1 flow (ipcps.md §6.6.2): the receiver's
/// smoothed congestion level and when to report it, and the sender's byte
/// budget per time slot, a window of 2^`slotShift` ns that is rescaled to
/// keep between 8 and 64 packets in it. Pure arithmetic on the reference's
/// constants and integer widths; the caller supplies the monotonic time.
public struct MultiBitECNState: Sendable, Equatable {
    /// Received packets averaged over (2^5 = 32); also the sender's staleness bound.
    static let averagingShift = 5
    /// Reports while congested go out every 8th packet.
    static let updatePeriod = 1 << (averagingShift - 2)
    /// The first slot is 2^24 ns (about 16.8 ms).
    static let initialSlotShift: UInt64 = 24
    /// The first byte limit per slot (about 4 MiB/s).
    static let initialByteLimit: UInt64 = 1 << 16
    /// The first additive increase per slot.
    static let initialIncrease: UInt64 = 1 << 16
    /// Fewest packets per slot before the slot widens.
    static let minPacketsPerSlot: UInt64 = 8
    /// Most packets per slot before the slot narrows.
    static let maxPacketsPerSlot: UInt64 = 64

    // Receiver side.
    /// The congestion level seen on received packets (upstream).
    public private(set) var receivedLevel: UInt16 = 0
    /// Congested packets received since the onset of congestion.
    public private(set) var receivedCount: UInt64 = 0

    // Sender side.
    /// The congestion level the receiver last reported.
    public private(set) var reportedLevel: UInt16 = 0
    /// Packets sent since that report.
    public private(set) var sentSinceReport: UInt64 = 0
    /// Bytes sent in the current slot.
    public private(set) var windowBytes: UInt64 = 0
    /// Packets sent in the current slot.
    public private(set) var windowPackets: UInt64 = 0
    /// Bytes allowed per slot.
    public private(set) var byteLimit: UInt64 = initialByteLimit
    /// Out of slow start (set by the first report, for good).
    public private(set) var avoidingCongestion = false
    /// log2 of the slot length in ns.
    public private(set) var slotShift: UInt64 = initialSlotShift
    /// Bytes added to the limit per uncongested slot.
    public private(set) var increase: UInt64 = initialIncrease
    /// The current slot number (time >> `slotShift`).
    public private(set) var slot: UInt64

    /// A fresh flow at monotonic time `now` (ns).
    public init(now: UInt64) {
        slot = now >> Self.initialSlotShift
    }

    /// A packet arrived with `ecn` in its PCI: the level to report to the
    /// sender, when a report is due (onset, every 8th congested packet, end).
    public mutating func received(ecn: UInt8) -> UInt16? {
        if receivedLevel == 0 && ecn == 0 { return nil }
        if ecn == 0 {
            receivedLevel >>= 2
            return receivedLevel == 0 ? receivedLevel : nil
        }
        if receivedLevel == 0 {
            receivedLevel = UInt16(ecn)
            receivedCount = 0
            return receivedLevel
        }
        receivedLevel = receivedLevel &- (receivedLevel >> UInt16(Self.averagingShift)) &+ UInt16(ecn)
        let due = receivedCount & UInt64(Self.updatePeriod - 1) == 1
        receivedCount &+= 1
        return due ? receivedLevel : nil
    }

    /// The receiver reported congestion level `level`.
    public mutating func reported(_ level: UInt16) {
        reportedLevel = level
        sentSinceReport = 0
        avoidingCongestion = true
    }

    /// A `length`-byte packet is about to leave at monotonic time `now` (ns):
    /// updates the slot accounting and returns how long to wait first, in ns
    /// (until the next slot when this slot's budget is spent).
    public mutating func sending(length: Int, now: UInt64) -> UInt64 {
        let current = now >> slotShift
        sentSinceReport &+= 1
        windowPackets &+= 1
        windowBytes &+= UInt64(length)
        if sentSinceReport > UInt64(1 << Self.averagingShift) { reportedLevel = 0 }
        if Int64(bitPattern: slot &- current) < 0 { startSlot(current) }
        guard windowBytes > byteLimit else { return 0 }
        let wait = Int64(bitPattern: ((slot &+ 1) << slotShift) &- now)
        return wait > 0 ? UInt64(wait) : 0
    }

    /// A packet opened slot `current`: adapt the byte limit to the last slot,
    /// then rescale the slot if it held too few or too many packets.
    private mutating func startSlot(_ current: UInt64) {
        var carry = false
        slot = current
        if !avoidingCongestion {
            if windowBytes > byteLimit { byteLimit <<= 1 }
        } else if reportedLevel != 0 {
            byteLimit &-= (byteLimit &* UInt64(reportedLevel)) >> UInt64(Self.averagingShift + 8)
        } else {
            byteLimit = windowBytes &+ increase
        }
        if windowPackets < Self.minPacketsPerSlot {
            var factor: UInt64 = 0
            var packets = windowPackets
            while packets < Self.minPacketsPerSlot {
                packets <<= 1
                factor += 1
            }
            slotShift &+= factor
            slot >>= factor
            if slot & ((1 << factor) - 1) == 0 {
                carry = true
                slot &+= 1
            }
            byteLimit <<= factor
            increase <<= factor
        } else if windowPackets > Self.maxPacketsPerSlot {
            var factor: UInt64 = 0
            var packets = windowPackets
            while packets > Self.maxPacketsPerSlot {
                packets >>= 1
                factor += 1
            }
            slotShift &-= factor
            slot <<= factor
            byteLimit >>= factor
            increase >>= factor
        }
        if !carry {
            windowBytes = 0
            windowPackets = 0
        }
    }
}
