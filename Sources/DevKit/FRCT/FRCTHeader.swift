/// The 12-byte FRCT header in front of every packet of an FRCT flow
/// (spec host.md §6.2): flags, a 24-bit window (the low bits of the sender's
/// receive right window edge), the sequence number and the acknowledged
/// sequence number, all big-endian.
struct FRCTHeader: Sendable, Hashable {
    /// The header flags (byte 0).
    struct Flags: OptionSet, Sendable, Hashable {
        let rawValue: UInt8
        init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Carries data.
        static let data = Flags(rawValue: 0x01)
        /// Data run flag: first packet of a run, nothing unacknowledged.
        static let dataRun = Flags(rawValue: 0x02)
        /// `ackno` is valid.
        static let ack = Flags(rawValue: 0x04)
        /// `window` is valid (flow control).
        static let flowControl = Flags(rawValue: 0x08)
        /// Rendezvous probe: the sender's window is closed.
        static let rendezvous = Flags(rawValue: 0x10)
        /// First fragment (defined, unused).
        static let firstFragment = Flags(rawValue: 0x20)
        /// More fragments (defined, unused).
        static let moreFragments = Flags(rawValue: 0x40)
    }

    static let size = 12
    /// The window field's width.
    static let windowMask: UInt32 = 0x00FF_FFFF

    var flags: Flags
    /// Only the low 24 bits are kept.
    var window: UInt32 { didSet { window &= Self.windowMask } }
    var seqno: UInt32
    var ackno: UInt32

    init(flags: Flags, window: UInt32 = 0, seqno: UInt32 = 0, ackno: UInt32 = 0) {
        self.flags = flags
        self.window = window & Self.windowMask
        self.seqno = seqno
        self.ackno = ackno
    }

    /// Parses the first 12 bytes of `bytes`; `EINVAL` when there are fewer.
    init(parsing bytes: some Collection<UInt8>) throws(OuroError) {
        guard bytes.count >= Self.size else { throw OuroError.invalid }
        let b = Array(bytes.prefix(Self.size))
        self.init(flags: Flags(rawValue: b[0]),
                  window: UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]),
                  seqno: Self.word(b, 4), ackno: Self.word(b, 8))
    }

    /// Reads a header in place (at least 12 readable bytes at `p`).
    init(reading p: UnsafeRawPointer) {
        self.init(flags: Flags(rawValue: p.load(as: UInt8.self)),
                  window: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)),
                  seqno: UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
                  ackno: UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    }

    /// The 12 wire bytes.
    func serialize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
        return out
    }

    /// Writes the 12 wire bytes at `p`.
    func write(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: (window & Self.windowMask).bigEndian, as: UInt32.self)
        p.storeBytes(of: flags.rawValue, as: UInt8.self)
        p.storeBytes(of: seqno.bigEndian, toByteOffset: 4, as: UInt32.self)
        Self.patchAckno(ackno, at: p)
    }

    /// Overwrites bytes 8–11 of the header at `p` (a retransmission carries the
    /// current acknowledgement).
    static func patchAckno(_ ackno: UInt32, at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: ackno.bigEndian, toByteOffset: 8, as: UInt32.self)
    }

    private static func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
