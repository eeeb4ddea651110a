// UDPBaseline: plain-kernel UDP figures to compare the udp layers with, run
// between the same network namespaces (see benchmarks/udp-bench).
//
//   udp-baseline echo-server PORT
//   udp-baseline echo-client IP PORT COUNT INTERVAL_US SIZE   prints "rtt median=… p99=… us"
//   udp-baseline sink PORT SECONDS                            prints "received N packets, M Mbit/s"
//   udp-baseline blast IP PORT SIZE SECONDS                   prints "sent N packets, M Mbit/s"
#if canImport(Glibc)
import Glibc
#endif

func die(_ message: String) -> Never {
    print("udp-baseline: \(message)")
    exit(1)
}

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// An IPv4 or IPv6 socket address for `ip`:`port`.
func address(_ ip: String, _ port: UInt16) -> [UInt8] {
    var a4 = sockaddr_in()
    if inet_pton(AF_INET, ip, &a4.sin_addr) == 1 {
        a4.sin_family = sa_family_t(AF_INET)
        a4.sin_port = port.bigEndian
        return withUnsafeBytes(of: a4) { Array($0) }
    }
    var a6 = sockaddr_in6()
    guard inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1 else { die("bad address \(ip)") }
    a6.sin6_family = sa_family_t(AF_INET6)
    a6.sin6_port = port.bigEndian
    return withUnsafeBytes(of: a6) { Array($0) }
}

/// A UDP socket bound to `port` on every address of the family of `like`.
func boundSocket(port: UInt16, v6: Bool = false) -> Int32 {
    let s = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var size: Int32 = 4 << 20
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, 4)
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, 4)
    let a = address(v6 ? "::" : "0.0.0.0", port)
    let r = a.withUnsafeBytes { bind(s, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(a.count)) }
    guard r == 0 else { die("bind: \(errno)") }
    return s
}

func connected(_ ip: String, _ port: UInt16) -> Int32 {
    let a = address(ip, port)
    let s = socket(a.count == 16 ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
    var size: Int32 = 4 << 20
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, 4)
    let r = a.withUnsafeBytes { connect(s, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(a.count)) }
    guard r == 0 else { die("connect: \(errno)") }
    return s
}

let args = CommandLine.arguments
guard args.count >= 2 else { die("usage: see the source") }
var buffer = [UInt8](repeating: 0, count: 65536)

switch args[1] {
case "echo-server":
    let s = boundSocket(port: UInt16(args[2])!)
    var from = sockaddr_storage()
    while true {
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = withUnsafeMutablePointer(to: &from) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(s, &buffer, buffer.count, 0, $0, &len) }
        }
        guard n >= 0 else { continue }
        _ = withUnsafePointer(to: &from) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(s, buffer, n, 0, $0, len) }
        }
    }
case "echo-client":
    let s = connected(args[2], UInt16(args[3])!)
    let count = Int(args[4])!, intervalUs = UInt32(args[5])!, size = Int(args[6])!
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var rtts: [Double] = []
    for _ in 0..<count {
        let t0 = nanoseconds()
        _ = send(s, buffer, size, 0)
        if recv(s, &buffer, buffer.count, 0) > 0 { rtts.append(Double(nanoseconds() - t0) / 1000) }
        if intervalUs > 0 { usleep(intervalUs) }
    }
    rtts.sort()
    guard !rtts.isEmpty else { die("no replies") }
    let median = rtts[rtts.count / 2], p99 = rtts[min(rtts.count - 1, rtts.count * 99 / 100)]
    print("rtt median=\(median) p99=\(p99) us replies=\(rtts.count)/\(count)")
case "sink":
    let s = boundSocket(port: UInt16(args[2])!, v6: args.count > 4 && args[4] == "v6")
    let seconds = Double(args[3])!
    var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var packets = 0, bytes = 0
    var first: UInt64 = 0, last: UInt64 = 0
    let end = nanoseconds() + UInt64(seconds * 1e9)
    while nanoseconds() < end {
        let n = recv(s, &buffer, buffer.count, 0)
        guard n > 0 else { if packets > 0 && nanoseconds() - last > 500_000_000 { break }; continue }
        last = nanoseconds()
        if packets == 0 { first = last }
        packets += 1
        bytes += n
    }
    let span = Double(max(last - first, 1)) / 1e9
    print("received \(packets) packets, \(Double(bytes) * 8 / span / 1e6) Mbit/s")
case "blast":
    let s = connected(args[2], UInt16(args[3])!)
    let size = Int(args[4])!, seconds = Double(args[5])!
    var packets = 0
    let start = nanoseconds(), end = start + UInt64(seconds * 1e9)
    while nanoseconds() < end {
        if send(s, buffer, size, 0) == size { packets += 1 }
    }
    let span = Double(nanoseconds() - start) / 1e9
    print("sent \(packets) packets, \(Double(packets * size) * 8 / span / 1e6) Mbit/s")
default:
    die("unknown mode \(args[1])")
}
