/// The header of an oping packet (spec host.md §9.1): `type` and `id` big
/// endian, the sender's CLOCK_MONOTONIC seconds and nanoseconds in host order.
/// The rest of a packet is zero.
public struct OPingMessage: Equatable, Sendable {
    /// The header length in bytes.
    public static let headerSize = 24
    public static let echoRequest: UInt32 = 0
    public static let echoReply: UInt32 = 1

    public var type: UInt32
    public var id: UInt32
    public var seconds: UInt64
    public var nanoseconds: UInt64

    public init(type: UInt32, id: UInt32, seconds: UInt64, nanoseconds: UInt64) {
        self.type = type
        self.id = id
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// A request stamped with a monotonic time in nanoseconds.
    public init(requestID id: UInt32, monotonicNanoseconds ns: UInt64) {
        self.init(type: OPingMessage.echoRequest, id: id, seconds: ns / 1_000_000_000, nanoseconds: ns % 1_000_000_000)
    }

    /// The stamped time in nanoseconds.
    public var timestampNanoseconds: UInt64 { seconds &* 1_000_000_000 &+ nanoseconds }

    /// Writes the header into the first 24 bytes of `buffer`.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= OPingMessage.headerSize)
        buffer.storeBytes(of: type.bigEndian, toByteOffset: 0, as: UInt32.self)
        buffer.storeBytes(of: id.bigEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: seconds, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: nanoseconds, toByteOffset: 16, as: UInt64.self)
    }

    /// A packet of `size` bytes: this header, then zeros.
    public func packet(size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(size, OPingMessage.headerSize))
        bytes.withUnsafeMutableBytes { encode(into: $0) }
        return bytes
    }

    /// The header at the start of `buffer`, nil if it is shorter than a header.
    public static func decode(_ buffer: UnsafeRawBufferPointer) -> OPingMessage? {
        guard buffer.count >= headerSize else { return nil }
        return OPingMessage(type: UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
                            id: UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
                            seconds: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                            nanoseconds: buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }

    /// The type field of a packet (first 4 bytes, big endian), nil if shorter.
    public static func type(of buffer: UnsafeRawBufferPointer) -> UInt32? {
        guard buffer.count >= 4 else { return nil }
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
    }

    /// Turns the request at the start of `buffer` into a reply in place.
    public static func markReply(_ buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: echoReply.bigEndian, toByteOffset: 0, as: UInt32.self)
    }
}
