import DevKit

/// A UDP layer's bootstrap settings (ipcps.md §2.3, §4.1): the address and
/// port the IPCP binds (and at which it reaches every peer) and the optional
/// DNS server for dynamic DNS.
public struct UDPConfig: Sendable, Equatable {
    /// The reference's default port.
    public static let defaultPort: UInt16 = 3435

    public let family: UDPFamily
    public let address: IPAddress
    public let port: UInt16
    /// nil when no DNS server is configured (all-zero address on the wire).
    public let dns: IPAddress?

    public init(family: UDPFamily, address: IPAddress, port: UInt16 = UDPConfig.defaultPort, dns: IPAddress? = nil) {
        self.family = family
        self.address = address
        self.port = port
        self.dns = dns
    }

    /// Reads the `udp4`/`udp6` part of a bootstrap configuration. udp4 carries
    /// its addresses as the network-order bytes read as a little-endian integer
    /// (ipcps.md §10, item 18). `.invalid` when the part is missing or malformed.
    public init(_ conf: ipcp_config_msg, family: UDPFamily) throws(OuroError) {
        let address: [UInt8], dns: [UInt8], port: UInt32
        switch family {
        case .v4:
            guard conf.hasUdp4 else { throw OuroError.invalid }
            address = UDPConfig.littleEndianBytes(conf.udp4.ipAddr)
            dns = UDPConfig.littleEndianBytes(conf.udp4.dnsAddr)
            port = conf.udp4.port
        case .v6:
            guard conf.hasUdp6 else { throw OuroError.invalid }
            address = [UInt8](conf.udp6.ipAddr)
            dns = conf.udp6.hasDnsAddr ? [UInt8](conf.udp6.dnsAddr) : [UInt8](repeating: 0, count: 16)
            port = conf.udp6.port
        }
        guard let ip = IPAddress(bytes: address), ip.family == family,
              let server = IPAddress(bytes: dns), server.family == family,
              port > 0, port <= UInt32(UInt16.max) else { throw OuroError.invalid }
        self.init(family: family, address: ip, port: UInt16(port), dns: server.isUnspecified ? nil : server)
    }

    private static func littleEndianBytes(_ v: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }
}
