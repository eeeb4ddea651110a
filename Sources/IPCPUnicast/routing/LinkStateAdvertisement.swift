/// A link-state advertisement (ipcps.md §6.9.2): router `source` announces its
/// adjacency to `destination`. 24 bytes, all big-endian, sent as a raw SDU on
/// Management N-1 flows: d_addr(8) s_addr(8) seqno(8).
public struct LinkStateAdvertisement: Sendable, Hashable {
    public static let size = 24

    public enum ParseError: Error, Equatable {
        case wrongLength(Int)
        case selfLoop
    }

    public var destination: UInt64
    public var source: UInt64
    public var seqno: UInt64

    public init(source: UInt64, destination: UInt64, seqno: UInt64) {
        self.source = source
        self.destination = destination
        self.seqno = seqno
    }

    /// Parses exactly 24 bytes; an adjacency of a router to itself is invalid.
    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        guard bytes.count == Self.size else { throw .wrongLength(bytes.count) }
        var words: [UInt64] = []
        var word: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            word = word << 8 | UInt64(byte)
            if i % 8 == 7 {
                words.append(word)
                word = 0
            }
        }
        guard words[0] != words[1] else { throw .selfLoop }
        self.init(source: words[1], destination: words[0], seqno: words[2])
    }

    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        for word in [destination, source, seqno] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }
}
