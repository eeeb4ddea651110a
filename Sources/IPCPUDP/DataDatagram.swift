/// Data datagrams: the receiver's 4-byte big-endian endpoint id, then the SDU.
public enum DataDatagram {
    /// Bytes in front of the SDU.
    public static let headerLength = 4
    /// The endpoint id of management datagrams.
    public static let managementEID: UInt32 = 0

    /// The endpoint id at the start of a datagram.
    public static func eid(of bytes: UnsafeRawBufferPointer) throws(DatagramError) -> UInt32 {
        guard bytes.count >= headerLength else { throw .short(needed: headerLength, got: bytes.count) }
        return BigEndianReader(bytes).peekU32()
    }

    /// Writes `eid` into the 4 bytes at `header`.
    public static func write(eid: UInt32, to header: UnsafeMutableRawBufferPointer) {
        header.storeBytes(of: eid.bigEndian, toByteOffset: 0, as: UInt32.self)
    }
}

/// Sequential big-endian reads; callers check the length first.
struct BigEndianReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func peekU32() -> UInt32 { UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }

    mutating func u8() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() -> UInt32 {
        defer { offset += 4 }
        return peekU32()
    }

    mutating func u64() -> UInt64 {
        defer { offset += 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) }
    }
}
