/// The 17-byte header of an eth-llc frame (ipcps.md §5.2): IEEE 802.3 with a
/// length field, then an 802.2 LLC header whose SAPs travel bit-reversed.
///
/// | 0 | 6 | destination MAC | 6 | 6 | source MAC | 12 | 2 | length = 3 + payload |
/// | 14 | 1 | DSAP | 15 | 1 | SSAP | 16 | 1 | control (0x03, UI) |
public struct LLCHeader: Equatable, Sendable {
    /// Bytes before the payload.
    public static let length = 17
    /// The LLC part after the Ethernet header (counts against the MTU).
    public static let shimLength = 3
    /// Unnumbered information.
    public static let unnumberedInformation: UInt8 = 0x03
    /// The largest 802.3 length; bigger values are Ethertypes.
    public static let maxLengthField: UInt16 = 0x05FF

    public var destination: MACAddress
    public var source: MACAddress
    /// Logical destination SAP (as used by the layer, not as on the wire).
    public var dsap: UInt8
    /// Logical source SAP.
    public var ssap: UInt8
    public var control: UInt8
    /// Payload bytes after the header (Ethernet padding excluded).
    public var payloadLength: UInt16

    public init(destination: MACAddress, source: MACAddress, dsap: UInt8, ssap: UInt8,
                control: UInt8 = LLCHeader.unnumberedInformation, payloadLength: UInt16) {
        self.destination = destination
        self.source = source
        self.dsap = dsap
        self.ssap = ssap
        self.control = control
        self.payloadLength = payloadLength
    }

    /// Reads the header of a complete frame. A length field above 0x05FF is
    /// an Ethertype (another protocol); the payload must fit in the frame.
    public init(parsing frame: UnsafeRawBufferPointer) throws(FrameError) {
        guard frame.count >= Self.length else { throw .short }
        let length = frame.uint16(at: 12)
        guard length <= Self.maxLengthField else { throw .otherProtocol }
        guard length >= UInt16(Self.shimLength), Int(length) - Self.shimLength <= frame.count - Self.length else {
            throw .badLength
        }
        destination = MACAddress(UnsafeRawBufferPointer(rebasing: frame[0..<6]))
        source = MACAddress(UnsafeRawBufferPointer(rebasing: frame[6..<12]))
        dsap = LLCHeader.reverseBits(frame[14])
        ssap = LLCHeader.reverseBits(frame[15])
        control = frame[16]
        payloadLength = length - UInt16(Self.shimLength)
    }

    /// Writes the header into the first 17 bytes of `buffer`.
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) {
        destination.write(to: buffer, at: 0)
        source.write(to: buffer, at: 6)
        buffer.store(payloadLength + UInt16(Self.shimLength), at: 12)
        buffer[14] = LLCHeader.reverseBits(dsap)
        buffer[15] = LLCHeader.reverseBits(ssap)
        buffer[16] = control
    }

    /// The header's 17 bytes.
    public func serialize() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { serialize(into: $0) }
        return bytes
    }

    /// A SAP as it goes on the wire and back: bit 0 ↔ bit 7, bit 1 ↔ bit 6, ...
    public static func reverseBits(_ b: UInt8) -> UInt8 {
        var v = b
        v = (v & 0xF0) >> 4 | (v & 0x0F) << 4
        v = (v & 0xCC) >> 2 | (v & 0x33) << 2
        v = (v & 0xAA) >> 1 | (v & 0x55) << 1
        return v
    }
}
