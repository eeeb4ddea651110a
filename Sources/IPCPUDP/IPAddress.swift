#if canImport(Glibc)
import Glibc
#endif

/// The two address families of the UDP layers and what differs between them
/// (ipcps.md §4.1).
public enum UDPFamily: Sendable {
    case v4, v6

    /// The largest SDU one datagram carries (`IPCP_UDP_MAX_PACKET_SIZE`).
    public var maxPacket: Int { self == .v4 ? 8980 : 8952 }
    /// Bytes of an address.
    public var addressLength: Int { self == .v4 ? 4 : 16 }
    /// `AF_INET` / `AF_INET6`.
    var domain: Int32 { self == .v4 ? AF_INET : AF_INET6 }
    /// The IPCP type.
    public var name: String { self == .v4 ? "udp4" : "udp6" }
}

/// An IPv4 or IPv6 address: its bytes in network order.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// From 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// `inet_pton` of `text` in `family`.
    public init?(_ text: String, family: UDPFamily) {
        var b = [UInt8](repeating: 0, count: family.addressLength)
        let ok = b.withUnsafeMutableBytes { inet_pton(family.domain, text, $0.baseAddress) }
        guard ok == 1 else { return nil }
        bytes = b
    }

    public var family: UDPFamily { bytes.count == 4 ? .v4 : .v6 }

    /// True for 0.0.0.0 and ::.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// `inet_ntop`.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = bytes.withUnsafeBytes { inet_ntop(family.domain, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
