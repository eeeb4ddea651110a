/// A layer address (ipcps.md §6.2): a 64-bit number of which the flat address
/// authority uses the low 32 bits; 0 means "no address".
public struct Address: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The invalid address.
    public static let none = Address(0)

    public var isValid: Bool { rawValue != 0 }

    public static func < (a: Address, b: Address) -> Bool { a.rawValue < b.rawValue }

    /// The reference's log form: the four low bytes in memory (little-endian)
    /// order, in hex, dot-separated.
    public var description: String {
        (0..<4).map { i in
            let byte = UInt8(truncatingIfNeeded: rawValue >> (8 * UInt64(i)))
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined(separator: ".")
    }
}
