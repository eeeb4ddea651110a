#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The settings of a unicast layer with the reference's defaults (spec
/// host.md §2.4), as `irm ipcp bootstrap` and irmd.conf give them.
public struct UnicastSettings: Sendable, Equatable {
    public var addrSize: UInt8 = 4
    public var eidSize: UInt8 = 8
    public var maxTTL: UInt8 = 60
    /// FLAT_RANDOM.
    public var addrAuth: UInt32 = 0
    /// DHT.
    public var directory: UInt32 = 0
    public var dhtAlpha: UInt32 = 3
    public var dhtK: UInt32 = 8
    public var dhtExpire: UInt32 = 86400
    public var dhtRefresh: UInt32 = 900
    public var dhtReplicate: UInt32 = 900
    /// LS_SIMPLE 0, LS_LFA 1, LS_ECMP 2.
    public var linkState: UInt32 = 0
    public var lsRecalc: UInt32 = 4
    public var lsUpdate: UInt32 = 15
    public var lsTimeout: UInt32 = 60
    /// CA_NONE 0, CA_MB_ECN 1.
    public var congestion: UInt32 = 1

    public init() {}

    /// The protobuf form.
    public var message: uni_config_msg {
        var ls = ls_config_msg()
        ls.pol = linkState
        ls.tRecalc = lsRecalc
        ls.tUpdate = lsUpdate
        ls.tTimeo = lsTimeout
        var routing = routing_config_msg()
        routing.pol = 0
        routing.ls = ls
        var dt = dt_config_msg()
        dt.addrSize = UInt32(addrSize)
        dt.eidSize = UInt32(eidSize)
        dt.maxTtl = UInt32(maxTTL)
        dt.routing = routing
        var dht = dir_dht_config_msg()
        dht.alpha = dhtAlpha
        dht.k = dhtK
        dht.tExpire = dhtExpire
        dht.tRefresh = dhtRefresh
        dht.tReplicate = dhtReplicate
        dht.peer = 0
        var dir = dir_config_msg()
        dir.pol = directory
        dir.dht = dht
        var uni = uni_config_msg()
        uni.dt = dt
        uni.dir = dir
        uni.addrAuthType = addrAuth
        uni.congAvoid = congestion
        return uni
    }
}

/// IP addresses as the UDP layers' configuration carries them.
public enum IPAddressText {
    /// `inet_pton` of `text`: the address bytes in network order.
    public static func parse(_ text: String, v4: Bool) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: v4 ? 4 : 16)
        let ok = bytes.withUnsafeMutableBytes { inet_pton(v4 ? AF_INET : AF_INET6, text, $0.baseAddress) }
        return ok == 1 ? bytes : nil
    }

    /// `in_addr.s_addr` as the reference puts it on the wire: the network-order
    /// bytes read as a little-endian integer (spec host.md §2.3.2).
    public static func inAddrValue(_ bytes: [UInt8]) -> UInt32 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The udp4 configuration for an address and optional DNS server (bytes).
    public static func udp4(address: [UInt8], port: UInt16, dns: [UInt8]?) -> udp4_config_msg {
        var c = udp4_config_msg()
        c.ipAddr = inAddrValue(address)
        c.port = UInt32(port)
        c.dnsAddr = inAddrValue(dns ?? [0, 0, 0, 0])
        return c
    }

    /// The udp6 configuration for an address and optional DNS server (bytes).
    public static func udp6(address: [UInt8], port: UInt16, dns: [UInt8]?) -> udp6_config_msg {
        var c = udp6_config_msg()
        c.ipAddr = Data(address)
        c.port = UInt32(port)
        c.dnsAddr = Data(dns ?? [UInt8](repeating: 0, count: 16))
        return c
    }
}
