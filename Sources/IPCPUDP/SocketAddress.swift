#if canImport(Glibc)
import Glibc
#endif

/// A UDP endpoint as the kernel reports it: the raw `sockaddr_in` or
/// `sockaddr_in6` bytes. Equality is byte equality, which is how the
/// reference checks where a FLOW_REPLY came from (ipcps.md §4.3).
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// `ip:port` with every other field zero.
    public init(ip: IPAddress, port: UInt16) {
        switch ip.family {
        case .v4:
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            ip.bytes.withUnsafeBytes { src in withUnsafeMutableBytes(of: &a.sin_addr) { $0.copyMemory(from: src) } }
            bytes = withUnsafeBytes(of: a) { Array($0) }
        case .v6:
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            ip.bytes.withUnsafeBytes { src in withUnsafeMutableBytes(of: &a.sin6_addr) { $0.copyMemory(from: src) } }
            bytes = withUnsafeBytes(of: a) { Array($0) }
        }
    }

    /// The first `length` bytes at `raw` (a received source address).
    public init(raw: UnsafeRawPointer, length: Int) {
        bytes = Array(UnsafeRawBufferPointer(start: raw, count: length))
    }

    /// True if the `length` bytes at `raw` are exactly this address.
    func equals(raw: UnsafeRawPointer, length: Int) -> Bool {
        length == bytes.count && bytes.withUnsafeBytes { memcmp($0.baseAddress!, raw, length) == 0 }
    }

    public var family: UDPFamily { bytes.count == MemoryLayout<sockaddr_in>.size ? .v4 : .v6 }

    public var ip: IPAddress {
        let (offset, count) = family == .v4 ? (4, 4) : (8, 16)
        return IPAddress(bytes: Array(bytes[offset..<offset + count]))!
    }

    public var port: UInt16 { UInt16(bytes[2]) << 8 | UInt16(bytes[3]) }

    public var description: String { family == .v4 ? "\(ip):\(port)" : "[\(ip)]:\(port)" }

    /// Runs `body` with the address as a `sockaddr` pointer and its length.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        bytes.withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) }
    }
}
