#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The kernel baseline: a UDP echo over loopback between two processes.
enum UDPBaseline {
    static func socketBound(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 { Role.fatal("bind \(port): \(errno)") }
        return fd
    }

    static func connectTo(_ fd: Int32, port: UInt16) {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Echoes every datagram back to its sender, forever.
    static func echoServer(port: UInt16) -> Never {
        let fd = socketBound(port: port)
        print("READY")
        fflush(nil)
        var buf = [UInt8](repeating: 0, count: 65536)
        var from = sockaddr_storage()
        while true {
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buf.withUnsafeMutableBytes { b in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &len) }
                }
            }
            if n < 0 { continue }
            _ = buf.withUnsafeBytes { b in
                withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, n, 0, $0, len) }
                }
            }
        }
    }

    /// Ping-pong against the echo server, as `Role.ping` does over a flow.
    static func ping(port: UInt16, count: Int, intervalMicroseconds: Int, size: Int) {
        let fd = socketBound(port: 0)
        connectTo(fd, port: port)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let payload = [UInt8](repeating: 0x5a, count: size)
        var buf = [UInt8](repeating: 0, count: 65536)
        var rtts: [UInt64] = []
        let start = Deadline.now.nanoseconds
        for i in 0..<count {
            let t0 = Deadline.now.nanoseconds
            _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { Role.fatal("udp echo lost") }
            rtts.append(Deadline.now.nanoseconds - t0)
            if intervalMicroseconds > 0 {
                let next = start + UInt64(i + 1) * UInt64(intervalMicroseconds) * 1000
                let now = Deadline.now.nanoseconds
                if next > now { usleep(UInt32((next - now) / 1000)) }
            }
        }
        let total = Deadline.now.nanoseconds - start
        let s = Stats(rtts)
        Role.result([("median_us", s.median), ("p99_us", s.p99), ("avg_us", s.average), ("total_ms", String(Double(total) / 1e6))])
    }
}
