#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// A network interface as the kernel describes it now: index, MAC address,
/// MTU and whether it is up.
public struct EthernetDevice: Sendable, Equatable {
    /// Longest interface name (IFNAMSIZ − 1).
    public static let maxNameLength = 15

    public let name: String
    public let index: Int32
    public let mac: MACAddress
    public let mtu: Int
    public let isUp: Bool

    /// Why a device cannot be used.
    public enum LookupError: Error, Equatable, Sendable, CustomStringConvertible {
        case badName(String)
        case noSuchDevice(String)
        case query(String, OuroError)

        public var description: String {
            switch self {
            case .badName(let n): return "Invalid device name \"\(n)\" (1 to \(EthernetDevice.maxNameLength) characters)."
            case .noSuchDevice(let n): return "Device \(n) does not exist."
            case .query(let n, let e): return "Failed to query device \(n): \(e)."
            }
        }
    }

    /// Looks up the interface `name`.
    public init(named name: String) throws(LookupError) {
        guard !name.isEmpty, name.utf8.count <= Self.maxNameLength, !name.contains("/") else {
            throw .badName(name)
        }
        let index = if_nametoindex(name)
        guard index != 0 else { throw .noSuchDevice(name) }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .query(name, OuroError.errno) }
        defer { close(fd) }
        var req = Self.request(name)
        guard ioctl(fd, UInt(SIOCGIFHWADDR), &req) == 0 else { throw .query(name, OuroError.errno) }
        let mac = withUnsafeBytes(of: req.ifr_ifru.ifru_hwaddr.sa_data) { MACAddress($0) }
        req = Self.request(name)
        guard ioctl(fd, UInt(SIOCGIFMTU), &req) == 0 else { throw .query(name, OuroError.errno) }
        let mtu = Int(req.ifr_ifru.ifru_mtu)
        self.name = name
        self.index = Int32(index)
        self.mac = mac
        self.mtu = mtu
        self.isUp = Self.flagsSayUp(name, fd: fd) ?? false
    }

    /// Whether the interface `name` is up with a carrier now; nil if it is gone.
    public static func isUp(_ name: String) -> Bool? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return flagsSayUp(name, fd: fd)
    }

    /// IFF_UP | IFF_RUNNING: administratively up and with a carrier.
    static let usableFlags: UInt32 = 0x1 | 0x40

    /// [ref-quirk] fixed: the reference looks at IFF_UP alone, so a link that
    /// loses its carrier (cable pulled, the far end of a veth set down) stays
    /// "up" and its flows silently lose every frame.
    private static func flagsSayUp(_ name: String, fd: Int32) -> Bool? {
        var req = request(name)
        guard ioctl(fd, UInt(SIOCGIFFLAGS), &req) == 0 else { return nil }
        return UInt32(UInt16(bitPattern: req.ifr_ifru.ifru_flags)) & usableFlags == usableFlags
    }

    private static func request(_ name: String) -> ifreq {
        var req = ifreq()
        withUnsafeMutableBytes(of: &req.ifr_ifrn.ifrn_name) { dst in
            for (i, b) in name.utf8.prefix(maxNameLength).enumerated() { dst[i] = b }
        }
        return req
    }
}
