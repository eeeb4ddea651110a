/// A link-state advertisement (ipcps.md §6.9.2): router `source` announces its
/// adjacency to `destination`. 24 bytes, all big-endian, sent as a raw SDU on
/// Management N-1 flows: d_addr(8) s_addr(8) seqno(8).
///
/// Extension: a withdrawal, the same 24 bytes and one more (0x01), tells
/// that the adjacency is gone (its N-1 flow went down), so that other routers
/// drop it at once instead of after ls_t_timeo. The reference reads LSAs with
/// partial reads off and skips any SDU that is not exactly 24 bytes, so its
/// routers ignore withdrawals (and age the adjacency out as before).
public struct LinkStateAdvertisement: Sendable, Hashable {
    public static let size = 24
    /// The size of a withdrawal: the LSA and its flag byte.
    public static let withdrawalSize = 25
    static let withdrawalFlag: UInt8 = 0x01

    public enum ParseError: Error, Equatable {
        case wrongLength(Int)
        case selfLoop
    }

    public var destination: UInt64
    public var source: UInt64
    public var seqno: UInt64
    /// A withdrawal of the adjacency rather than an announcement.
    public var withdrawn: Bool

    public init(source: UInt64, destination: UInt64, seqno: UInt64, withdrawn: Bool = false) {
        self.source = source
        self.destination = destination
        self.seqno = seqno
        self.withdrawn = withdrawn
    }

    /// Parses an announcement (24 bytes) or a withdrawal (25, the last 0x01);
    /// an adjacency of a router to itself is invalid.
    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        let withdrawn = bytes.count == Self.withdrawalSize && bytes.dropFirst(Self.size).first == Self.withdrawalFlag
        guard bytes.count == Self.size || withdrawn else { throw .wrongLength(bytes.count) }
        var words: [UInt64] = []
        var word: UInt64 = 0
        for (i, byte) in bytes.prefix(Self.size).enumerated() {
            word = word << 8 | UInt64(byte)
            if i % 8 == 7 {
                words.append(word)
                word = 0
            }
        }
        guard words[0] != words[1] else { throw .selfLoop }
        self.init(source: words[1], destination: words[0], seqno: words[2], withdrawn: withdrawn)
    }

    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.withdrawalSize)
        for word in [destination, source, seqno] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        if withdrawn { out.append(Self.withdrawalFlag) }
        return out
    }
}
