/// The 18-byte header of an eth-dix frame (ipcps.md §5.2): Ethernet II with
/// the layer's Ethertype, then a 4-byte shim header, all big-endian.
///
/// | 0 | 6 | destination MAC | 6 | 6 | source MAC | 12 | 2 | Ethertype |
/// | 14 | 2 | eid: 0 = management, else the receiver's flow | 16 | 2 | payload length |
public struct DIXHeader: Equatable, Sendable {
    /// Bytes before the payload.
    public static let length = 18
    /// The shim part after the Ethernet header (counts against the MTU).
    public static let shimLength = 4

    public var destination: MACAddress
    public var source: MACAddress
    public var ethertype: UInt16
    /// The receiver's endpoint id (0: management).
    public var eid: UInt16
    /// Payload bytes after the header (Ethernet padding excluded).
    public var payloadLength: UInt16

    public init(destination: MACAddress, source: MACAddress, ethertype: UInt16, eid: UInt16, payloadLength: UInt16) {
        self.destination = destination
        self.source = source
        self.ethertype = ethertype
        self.eid = eid
        self.payloadLength = payloadLength
    }

    /// Reads the header of a complete frame; the payload length must fit in
    /// what follows the header (the rest is padding).
    public init(parsing frame: UnsafeRawBufferPointer) throws(FrameError) {
        guard frame.count >= Self.length else { throw .short }
        destination = MACAddress(UnsafeRawBufferPointer(rebasing: frame[0..<6]))
        source = MACAddress(UnsafeRawBufferPointer(rebasing: frame[6..<12]))
        ethertype = frame.uint16(at: 12)
        eid = frame.uint16(at: 14)
        payloadLength = frame.uint16(at: 16)
        guard Int(payloadLength) <= frame.count - Self.length else { throw .badLength }
    }

    /// Writes the header into the first 18 bytes of `buffer`.
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) {
        destination.write(to: buffer, at: 0)
        source.write(to: buffer, at: 6)
        buffer.store(ethertype, at: 12)
        buffer.store(eid, at: 14)
        buffer.store(payloadLength, at: 16)
    }

    /// The header's 18 bytes.
    public func serialize() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { serialize(into: $0) }
        return bytes
    }
}
