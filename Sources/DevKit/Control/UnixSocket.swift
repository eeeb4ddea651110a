#if canImport(Glibc)
import Glibc
#endif
import COuro

/// An AF_UNIX SOCK_SEQPACKET socket: one `send` is one message, one `receive` reads
/// one whole message. Every descriptor is opened close-on-exec.
public final class UnixSocket: @unchecked Sendable {
    /// The largest control message (`SOCK_BUF_SIZE`).
    public static let maxMessageSize = 10240

    /// The descriptor; -1 once closed.
    public private(set) var fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Closes the descriptor (idempotent).
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    private static func make() throws(OuroError) -> UnixSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw OuroError.errno }
        return UnixSocket(fd: fd)
    }

    private static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(OuroError) -> R {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { throw OuroError.invalid }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Binds and listens on `path` (a stale socket file is removed first) with the given mode.
    public static func listen(path: String, mode: mode_t = 0o666, backlog: Int32 = 64) throws(OuroError) -> UnixSocket {
        let s = try make()
        unlink(path)
        let r = try withAddress(path) { bind(s.fd, $0, $1) }
        guard r == 0 else { throw OuroError.errno }
        chmod(path, mode)
        guard Glibc.listen(s.fd, backlog) == 0 else { throw OuroError.errno }
        return s
    }

    /// Connects to the socket at `path`.
    public static func connect(path: String) throws(OuroError) -> UnixSocket {
        let s = try make()
        let r = try withAddress(path) { Glibc.connect(s.fd, $0, $1) }
        guard r == 0 else { throw OuroError.errno }
        return s
    }

    /// Accepts one connection, retrying on EINTR.
    public func accept() throws(OuroError) -> UnixSocket {
        while true {
            let c = couro_accept_cloexec(fd)
            if c >= 0 { return UnixSocket(fd: c) }
            if c != -EINTR { throw OuroError(code: -c) }
        }
    }

    /// Sends one message.
    public func send(_ bytes: [UInt8]) throws(OuroError) {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw n < 0 ? OuroError.errno : OuroError.messageSize }
    }

    /// Receives one message of at most `maxMessageSize` bytes; an empty array means
    /// the peer closed the connection. A message longer than the limit is an error.
    public func receive() throws(OuroError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: UnixSocket.maxMessageSize + 1)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw Glibc.errno == EAGAIN ? OuroError.timedOut : OuroError.errno
            }
            guard n <= UnixSocket.maxMessageSize else { throw OuroError.messageSize }
            return Array(buf[0..<n])
        }
    }

    /// Sets the receive timeout in microseconds; 0 disables it.
    public func setReceiveTimeout(microseconds: Int) {
        var tv = timeval(tv_sec: microseconds / 1_000_000, tv_usec: microseconds % 1_000_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The credentials of the connected peer.
    public func peerCredentials() -> (pid: Int32, uid: UInt32, gid: UInt32)? {
        var cred = couro_ucred()
        guard couro_peercred(fd, &cred) == 0 else { return nil }
        return (cred.pid, cred.uid, cred.gid)
    }
}
