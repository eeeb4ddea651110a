#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// Watches one interface through rtnetlink (RTMGRP_LINK): every RTM_NEWLINK
/// for it reports whether it is up with a carrier (IFF_UP and IFF_RUNNING;
/// the reference's eth IPCP looks at IFF_UP alone), so flows go down the
/// moment the link does, at either end.
final class LinkMonitor: Sendable {
    private static let netlinkRoute: Int32 = 0
    private static let linkGroup: UInt32 = 1
    private static let newLink: UInt16 = 16
    private static let done: UInt16 = 3
    /// nlmsghdr (16 bytes) then ifinfomsg: family, pad, type (2), index (4), flags (4).
    private static let headerLength = 16
    private static let indexOffset = headerLength + 4
    private static let flagsOffset = headerLength + 8

    private let fd: Int32
    private let index: Int32
    private let running = Atomic<Bool>(true)

    /// Opens the socket; `.failure` if netlink cannot be used (the caller
    /// then relies on polling alone).
    init(ifindex: Int32) throws(OuroError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkRoute)
        guard fd >= 0 else { throw OuroError.errno }
        var address = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt16(AF_NETLINK)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: Self.linkGroup) { address.replaceSubrange(8..<12, with: $0) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        let bound = address.withUnsafeBytes {
            bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0,
              setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            close(fd)
            throw OuroError.errno
        }
        self.fd = fd
        index = ifindex
    }

    /// Reads link messages on a thread of its own until `stop`, calling
    /// `changed(up)` for each about the watched interface.
    func start(_ changed: @escaping @Sendable (_ up: Bool) -> Void) {
        startThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            while running.load(ordering: .relaxed) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { continue }
                for up in states(in: buffer[..<n]) { changed(up) }
            }
            close(fd)
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }

    /// Whether each RTM_NEWLINK for the watched interface in one datagram says up with a carrier.
    private func states(in bytes: ArraySlice<UInt8>) -> [Bool] {
        func u32(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(bytes[bytes.startIndex + at + $1]) << (8 * UInt32($1)) }
        }
        func u16(_ at: Int) -> UInt16 { UInt16(truncatingIfNeeded: u32(at)) }
        var found: [Bool] = []
        var offset = 0
        while offset + Self.headerLength <= bytes.count {
            let length = Int(u32(offset))
            guard length >= Self.headerLength, offset + length <= bytes.count else { break }
            let type = u16(offset + 4)
            if type == Self.done { break }
            if type == Self.newLink, length >= Self.flagsOffset + 4,
               Int32(bitPattern: u32(offset + Self.indexOffset)) == index {
                let usable = EthernetDevice.usableFlags
                found.append(u32(offset + Self.flagsOffset) & usable == usable)
            }
            offset += (length + 3) & ~3
        }
        return found
    }
}
