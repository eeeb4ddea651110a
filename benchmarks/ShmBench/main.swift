// ShmBench: the shared-memory data path against pipe and UDP loopback baselines,
// all between the same two processes (this one and a copy of itself).
//
//   swift run -c release ShmBench [seconds per measurement, default 2]
#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit

// MARK: - Plumbing

/// The shm objects of this run (named after the main process).
func benchNames(_ pid: pid_t = getpid()) -> [String] {
    let instance = Instance(environment: "/tmp/ouroboros-shmbench-\(pid)")
    return [instance.ringName(pid: pid, flowID: 1), instance.ringName(pid: pid, flowID: 2),
            instance.ringName(pid: pid, flowID: 3), instance.globalPoolName]
}

func die(_ message: String) -> Never {
    var s = "ShmBench: \(message)\n"
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    if CommandLine.arguments.count < 2 || CommandLine.arguments[1] != "--peer" {
        for n in benchNames() { SharedMemory.unlink(name: n) }
    }
    exit(1)
}

func now() -> UInt64 { Deadline.now.nanoseconds }

/// Starts this executable as `--peer args…`, with `stdin` as its fd 0 if given.
func spawnPeer(_ args: [String], pinned: Bool = true, stdin: Int32? = nil, stdout: Int32? = nil) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let fd = stdin { posix_spawn_file_actions_adddup2(&actions, fd, 0) }
    if let fd = stdout { posix_spawn_file_actions_adddup2(&actions, fd, 1) }
    let argv = (["ShmBench", "--peer", pinned ? "pin" : "float"] + args).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid = pid_t()
    let r = posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, environ)
    guard r == 0 else { die("posix_spawn: \(r)") }
    return pid
}

/// A pipe whose ends close on exec (a peer gets only what it is handed).
func cloexecPipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { die("pipe") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}

let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))

/// Pins the calling process to `cpu` (the two sides run on different CPUs),
/// or lets it float over all CPUs (nil).
func pin(to cpu: Int32?) {
    if cpus > 1 { _ = couro_pin_cpu(cpu ?? -1) }
}

func reap(_ pid: pid_t) {
    var st: Int32 = 0
    waitpid(pid, &st, 0)
}

struct Stats {
    let median: Double, p99: Double
    init(_ samples: [UInt64]) {
        let s = samples.sorted()
        median = Double(s[s.count / 2]) / 1000
        p99 = Double(s[min(s.count - 1, s.count * 99 / 100)]) / 1000
    }
}

func fmt(_ v: Double, _ digits: Int = 2) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else {
        s += "." + String(repeating: "0", count: digits)
    }
    return s
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func padRight(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

/// Runs `body` for up to `seconds` (and at most `max` iterations), sampling each round trip.
func sampleRoundTrips(seconds: Double, max: Int, _ body: (Int) -> Void) -> [UInt64] {
    var samples: [UInt64] = []
    samples.reserveCapacity(max)
    let end = now() + UInt64(seconds * 1e9)
    for _ in 0..<1000 { body(1) }
    var i = 2
    while samples.count < max {
        let t0 = now()
        body(i)
        let t1 = now()
        samples.append(t1 - t0)
        if t1 > end { break }
        i += 1
    }
    return samples
}

// MARK: - Peer roles

func peerMain(_ allArgs: [String]) -> Never {
    pin(to: allArgs.first == "pin" ? 1 : nil)
    let args = Array(allArgs.dropFirst())
    switch args.first {
    case "ring-echo":
        // ring-echo IN OUT SPIN: echo offsets + 1 until offset 0.
        let spin = UInt64(args[3])!
        guard let inRing = try? RingBuffer.open(name: args[1], spinNanoseconds: spin),
              let outRing = try? RingBuffer.open(name: args[2], spinNanoseconds: spin) else { die("open rings") }
        while true {
            guard let v = try? inRing.read() else { die("ring read") }
            if v == 0 { exit(0) }
            try? outRing.write(v + 1)
        }
    case "pipe-echo":
        var b = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(0, &b, 64)
            if n <= 0 { exit(0) }
            _ = write(1, b, n)
        }
    case "udp-echo":
        var b = [UInt8](repeating: 0, count: 64)
        var from = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        while true {
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(0, &b, 64, 0, $0, &len) }
            }
            if n <= 0 || b[0] == 0xff { exit(0) }
            _ = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(0, b, n, 0, $0, len) }
            }
        }
    case "sink":
        // sink POOL RING DONE: pop, touch, free until offset 0, then report the count.
        guard let pool = try? PacketPool.open(name: args[1]),
              let ring = try? RingBuffer.open(name: args[2]),
              let done = try? RingBuffer.open(name: args[3]) else { die("open sink") }
        var n = 0
        var sum = 0
        while true {
            guard let off = try? ring.read() else { die("sink read") }
            if off == 0 { break }
            pool.adopt(off)
            if let b = try? pool.buffer(at: off) { sum &+= Int(b.bytes[0]) &+ b.length }
            try? pool.release(off)
            n += 1
        }
        if sum == 0 { die("sink saw only empty packets") }
        try? done.write(n)
        exit(0)
    case "alloc-free":
        // alloc-free POOL NS: alloc/free pairs for NS ns, prints the count.
        guard let pool = try? PacketPool.open(name: args[1]) else { die("open pool") }
        let n = allocFreeLoop(pool, nanoseconds: UInt64(args[2])!)
        print(n)
        exit(0)
    default:
        die("unknown peer role")
    }
}

func allocFreeLoop(_ pool: PacketPool, nanoseconds: UInt64) -> Int {
    let end = now() + nanoseconds
    var n = 0
    while true {
        for _ in 0..<256 {
            guard let b = try? pool.allocate(length: 64, .nonBlocking) else { continue }
            try? pool.release(b.offset)
            n += 1
        }
        if now() >= end { return n }
    }
}

// MARK: - Measurements

let args = CommandLine.arguments
if args.count > 1 && args[1] == "--peer" { peerMain(Array(args.dropFirst(2))) }
let seconds = args.count > 1 ? Double(args[1]) ?? 2 : 2
let names = benchNames()
pin(to: 0)

func ringRoundTrip(spin: UInt64) -> Stats {
    guard let a = try? RingBuffer.create(name: names[0], replace: true, spinNanoseconds: spin),
          let b = try? RingBuffer.create(name: names[1], replace: true, spinNanoseconds: spin) else { die("create rings") }
    let peer = spawnPeer(["ring-echo", names[0], names[1], "\(spin)"])
    let samples = sampleRoundTrips(seconds: seconds, max: 2_000_000) { i in
        try? a.write(i)
        guard (try? b.read()) == i + 1 else { die("ring echo mismatch") }
    }
    try? a.write(0)
    reap(peer)
    return Stats(samples)
}

func pipeRoundTrip() -> Stats {
    let to = cloexecPipe(), from = cloexecPipe()
    let peer = spawnPeer(["pipe-echo"], stdin: to.read, stdout: from.write)
    close(to.read)
    close(from.write)
    var msg = [UInt8](repeating: 7, count: 64)
    let samples = sampleRoundTrips(seconds: seconds, max: 200_000) { _ in
        _ = write(to.write, msg, 64)
        guard read(from.read, &msg, 64) == 64 else { die("pipe read") }
    }
    close(to.write)
    reap(peer)
    close(from.read)
    return Stats(samples)
}

func udpRoundTrip() -> Stats {
    func bound() -> (Int32, sockaddr_in) {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(s, $0, len) == 0, getsockname(s, $0, &len) == 0 else { die("udp bind") }
            }
        }
        return (s, a)
    }
    let (mine, _) = bound()
    let (theirs, theirAddr) = bound()
    guard withUnsafePointer(to: theirAddr, {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(mine, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }) == 0 else { die("udp connect") }
    let peer = spawnPeer(["udp-echo"], stdin: theirs)
    close(theirs)
    var msg = [UInt8](repeating: 7, count: 64)
    let samples = sampleRoundTrips(seconds: seconds, max: 200_000) { _ in
        _ = send(mine, msg, 64, 0)
        guard recv(mine, &msg, 64, 0) == 64 else { die("udp recv") }
    }
    msg[0] = 0xff
    _ = send(mine, msg, 64, 0)
    reap(peer)
    close(mine)
    return Stats(samples)
}

struct Throughput { let packets: Int; let nanoseconds: UInt64; let length: Int
    var pps: Double { Double(packets) / (Double(nanoseconds) / 1e9) }
    var gbps: Double { pps * Double(length) * 8 / 1e9 }
}

func oneWay(length: Int, pinned: Bool) -> Throughput {
    pin(to: pinned ? 0 : nil)
    defer { pin(to: 0) }
    guard let pool = try? PacketPool.create(name: names[3], geometry: .global, mode: 0o600, replace: true),
          let ring = try? RingBuffer.create(name: names[0], replace: true),
          let done = try? RingBuffer.create(name: names[2], replace: true) else { die("create") }
    let peer = spawnPeer(["sink", names[3], names[0], names[2]], pinned: pinned)
    let budget = UInt64(seconds * 1e9)
    var sent = 0
    let start = now()
    let end = start + budget
    while true {
        for _ in 0..<1024 {
            guard let b = try? pool.allocate(length: length) else { die("allocate") }
            let p = b.bytes
            p.baseAddress!.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: sent), count: length)
            pool.handOff(b.offset)
            guard (try? ring.write(b.offset)) != nil else { die("push") }
            sent += 1
        }
        if now() >= end { break }
    }
    try? ring.write(0)
    guard let got = try? done.read() else { die("done") }
    let elapsed = now() - start
    reap(peer)
    guard got == sent, pool.isFull else { die("sink saw \(got) of \(sent)") }
    return Throughput(packets: sent, nanoseconds: elapsed, length: length)
}

func allocFree() -> (single: Double, concurrent: Double) {
    guard let pool = try? PacketPool.create(name: names[3], geometry: .global, mode: 0o600, replace: true) else { die("pool") }
    let ns = UInt64(seconds * 1e9 / 2)
    let single = Double(allocFreeLoop(pool, nanoseconds: ns)) / (Double(ns) / 1e9)
    let out = cloexecPipe()
    let peer = spawnPeer(["alloc-free", names[3], "\(ns)"], stdout: out.write)
    close(out.write)
    let mine = allocFreeLoop(pool, nanoseconds: ns)
    var buf = [UInt8](repeating: 0, count: 64)
    let n = read(out.read, &buf, 64)
    close(out.read)
    reap(peer)
    let theirs = Int(String(decoding: buf[0..<max(n, 0)], as: UTF8.self).split(separator: "\n").first ?? "") ?? 0
    return (single, Double(mine + theirs) / (Double(ns) / 1e9))
}

print("ShmBench: 2 processes, \(cpus) CPUs, round trips with one CPU each, \(fmt(seconds, 1)) s per measurement")
print("")
print("Round trip (64 B token)           median µs     p99 µs   vs pipe (median)")
let spinRTT = ringRoundTrip(spin: defaultSpinNanoseconds)
let futexRTT = ringRoundTrip(spin: 0)
let pipeRTT = pipeRoundTrip()
let udpRTT = udpRoundTrip()
for (name, s) in [("shm ring, spin 20 µs then futex", spinRTT), ("shm ring, futex only", futexRTT),
                  ("pipe", pipeRTT), ("UDP 127.0.0.1", udpRTT)] {
    print(padRight(name, 33) + pad(fmt(s.median), 10) + pad(fmt(s.p99), 11) + pad(fmt(s.median / pipeRTT.median, 3) + "×", 15))
}
print("")
print("One way (alloc + fill + push + pop + free)     packets/s      Gbit/s")
for pinned in [true, false] {
    for len in [64, 1400] {
        let t = oneWay(length: len, pinned: pinned)
        print(padRight("shm, \(len) B, " + (pinned ? "one CPU each" : "CPUs as scheduled"), 40)
              + pad(fmt(t.pps / 1e6, 2) + " M", 15) + pad(fmt(t.gbps, 2), 12))
    }
}
print("")
let af = allocFree()
print("Pool alloc+free pairs/s: one process \(fmt(af.single / 1e6)) M, two processes on one class \(fmt(af.concurrent / 1e6)) M")
print("")
for n in names { SharedMemory.unlink(name: n) }
print("Ratios: pipe/ring RTT (spin) = \(fmt(pipeRTT.median / spinRTT.median, 1))×, UDP/ring RTT (spin) = \(fmt(udpRTT.median / spinRTT.median, 1))×, futex-only/spin = \(fmt(futexRTT.median / spinRTT.median, 1))×")
