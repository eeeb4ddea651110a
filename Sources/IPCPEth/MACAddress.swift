/// A 48-bit Ethernet (MAC) address, kept in the low 48 bits of an integer
/// (first byte on the wire most significant).
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address as a number.
    public let value: UInt64

    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(value: 0xFFFF_FFFF_FFFF)

    public init(value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    /// The six bytes at the start of `bytes` (which must hold at least six).
    public init(_ bytes: UnsafeRawBufferPointer) {
        var v: UInt64 = 0
        for i in 0..<6 { v = v << 8 | UInt64(bytes[i]) }
        self.init(value: v)
    }

    /// Six bytes in wire order.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self = bytes.withUnsafeBytes { MACAddress($0) }
    }

    /// The six bytes in wire order.
    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64($0))) } }

    /// Writes the six bytes at `offset` of `buffer`.
    func write(to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        for i in 0..<6 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64(i))) }
    }

    /// `aa:bb:cc:dd:ee:ff`.
    public var description: String {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: ":")
    }
}
