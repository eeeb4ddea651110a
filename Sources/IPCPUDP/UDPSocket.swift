#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit

/// The IPCP's one UDP socket, bound to its configured address and port
/// (ipcps.md §4.1). Sends carry `MSG_CONFIRM`. Blocking receives return at
/// least every `pollInterval` so that the readers notice a shutdown.
final class UDPSocket: Sendable {
    /// How often a blocked receive returns empty-handed.
    static let pollIntervalMicroseconds = 100_000

    let fd: Int32
    let family: UDPFamily
    static let sendFlags = couro_msg_confirm()

    /// Opens the socket and binds `local`; the error is the failing call's errno.
    init(binding local: SocketAddress) throws(OuroError) {
        family = local.family
        let s = socket(family.domain, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_UDP))
        guard s >= 0 else { throw OuroError.errno }
        var timeout = timeval(tv_sec: 0, tv_usec: Self.pollIntervalMicroseconds)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var size: Int32 = 4 << 20
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let bound = local.withSockaddr { bind(s, $0, $1) }
        guard bound == 0 else {
            let e = OuroError.errno
            Glibc.close(s)
            throw e
        }
        fd = s
    }

    /// Sends one datagram; false (errno logged by the caller) when the kernel refused it.
    func send(_ bytes: [UInt8], to remote: SocketAddress) -> Bool {
        let n = bytes.withUnsafeBytes { b in
            remote.withSockaddr { sendto(fd, b.baseAddress, b.count, Self.sendFlags, $0, $1) }
        }
        return n == bytes.count
    }

    func close() { _ = Glibc.close(fd) }
}
