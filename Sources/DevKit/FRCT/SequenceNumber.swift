/// Sequence-number arithmetic modulo 2^32 (spec host.md §6.2).
enum SequenceNumber {
    /// `a` comes before `b`: `(int32)(a − b) < 0`.
    @inline(__always)
    static func before(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }

    /// `a` comes after `b`: `(int32)(b − a) < 0`.
    @inline(__always)
    static func after(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: b &- a) < 0 }

    /// How far `b` is ahead of `a` (`b − a` mod 2^32).
    @inline(__always)
    static func distance(from a: UInt32, to b: UInt32) -> UInt32 { b &- a }

    /// The full right window edge a received 24-bit window stands for: the
    /// received bits under the top 8 bits of `current`, moved up by 2^24 when
    /// that lands more than 2^23 − 1 before `current` (the low bits wrapped).
    static func reconstructWindow(_ received: UInt32, current: UInt32) -> UInt32 {
        var rwe = (received & FRCTHeader.windowMask) | (current & 0xFF00_0000)
        if before(rwe, current) && current &- rwe > 0x007F_FFFF { rwe &+= 0x0100_0000 }
        return rwe
    }
}
