// ShmPeer: one side of a multi-process shared-memory test, run by DevKitTests.
//
//   ShmPeer [--as UID:GID] COMMAND ARGS...
//
// Commands (names are full shm names, times in ms, -1 = forever):
//   write-seq RING COUNT [DELAY]       wait DELAY, write offsets 1...COUNT in order
//   read-seq RING COUNT                read COUNT offsets, expect 1...COUNT in order
//   read-once RING TIMEOUT             one read (0 = non-blocking)
//   write-once RING TIMEOUT            one write of offset 1 (0 = non-blocking)
//   alloc POOL LENGTH TIMEOUT          allocate (0 = non-blocking) then release
//   hold POOL COUNT LENGTH RING SENT   allocate COUNT blocks filled with their index,
//                                      hand SENT of them to RING, print "ready", sleep
//   send POOL RING COUNT LENGTH        allocate, fill with a pattern, hand to RING
//   open-pool POOL                     open the pool only
//   use-pool POOL                      open, allocate, fill, check, release
//   wait-set SET INDEX TIMEOUT         wait on a flow set
//   notify-loop SET FLOW               post packet events until killed
//
// Exit status: 0 success, 10 EFLOWDOWN, 11 EFLOWPEER, 12 ENOTALLOC, 13 EAGAIN,
// 14 ETIMEDOUT, 15 EACCES/EPERM, 16 ENOENT, 1 anything else (a message on stderr).
#if canImport(Glibc)
import Glibc
#endif
import DevKit

func exitCode(for error: OuroError) -> Int32 {
    switch error {
    case .flowDown: return 10
    case .flowPeer: return 11
    case .notAllocated: return 12
    case .again: return 13
    case .timedOut: return 14
    case OuroError(code: EACCES), .permission: return 15
    case .noEntry: return 16
    default: return 1
    }
}

func fail(_ message: String) -> Never {
    FileHandleWriter.stderr("ShmPeer: \(message)\n")
    exit(1)
}

enum FileHandleWriter {
    static func stdout(_ s: String) { write(1, s) }
    static func stderr(_ s: String) { write(2, s) }
    private static func write(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}

func mode(_ ms: Int) -> WaitMode {
    ms < 0 ? .forever : ms == 0 ? .nonBlocking : .after(milliseconds: ms)
}

func pattern(_ i: Int, _ j: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 31 &+ j) }

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "--as", args.count >= 2 {
    let ids = args[1].split(separator: ":").compactMap { UInt32($0) }
    guard ids.count == 2, setgroups(0, nil) == 0, setgid(ids[1]) == 0, setuid(ids[0]) == 0 else {
        fail("cannot become \(args[1])")
    }
    args.removeFirst(2)
}
guard let command = args.first else { fail("no command") }
let rest = Array(args.dropFirst())
func arg(_ i: Int) -> String {
    guard i < rest.count else { fail("\(command): missing argument \(i + 1)") }
    return rest[i]
}
func int(_ i: Int) -> Int {
    guard let v = Int(arg(i)) else { fail("\(command): bad number \(arg(i))") }
    return v
}

do {
    switch command {
    case "write-seq":
        let ring = try RingBuffer.open(name: arg(0))
        if rest.count > 2 { usleep(UInt32(int(2)) * 1000) }
        for i in 1...int(1) { try ring.write(i) }
    case "read-seq":
        let ring = try RingBuffer.open(name: arg(0))
        for i in 1...int(1) {
            let v = try ring.read(.after(milliseconds: 30_000))
            guard v == i else { fail("read \(v), expected \(i)") }
        }
    case "read-once":
        let ring = try RingBuffer.open(name: arg(0))
        _ = try ring.read(mode(int(1)))
    case "write-once":
        let ring = try RingBuffer.open(name: arg(0))
        try ring.write(1, mode(int(1)))
    case "alloc":
        let pool = try PacketPool.open(name: arg(0))
        let b = try pool.allocate(length: int(1), mode(int(2)))
        try pool.release(b.offset)
    case "hold":
        let pool = try PacketPool.open(name: arg(0))
        let ring = try RingBuffer.open(name: arg(3))
        for i in 0..<int(1) {
            let b = try pool.allocate(length: int(2), .nonBlocking)
            for j in 0..<b.length { b.bytes[j] = pattern(i, j) }
            if i < int(4) {
                pool.handOff(b.offset)
                try ring.write(b.offset, .nonBlocking)
            }
        }
        FileHandleWriter.stdout("ready\n")
        while true { pause() }
    case "send":
        let pool = try PacketPool.open(name: arg(0))
        let ring = try RingBuffer.open(name: arg(1))
        for i in 0..<int(2) {
            let b = try pool.allocate(length: int(3))
            for j in 0..<b.length { b.bytes[j] = pattern(i, j) }
            pool.handOff(b.offset)
            try ring.write(b.offset)
        }
    case "open-pool":
        _ = try PacketPool.open(name: arg(0))
    case "use-pool":
        let pool = try PacketPool.open(name: arg(0))
        let b = try pool.allocate(length: 1000, .nonBlocking)
        for j in 0..<b.length { b.bytes[j] = pattern(1, j) }
        for j in 0..<b.length where b.bytes[j] != pattern(1, j) { fail("byte \(j) differs") }
        try pool.release(b.offset)
    case "wait-set":
        let set = try FlowSet.open(name: arg(0))
        _ = try set.wait(int(1), mode(int(2)))
    case "notify-loop":
        let set = try FlowSet.open(name: arg(0))
        let flow = int(1)
        FileHandleWriter.stdout("ready\n")
        while true { set.notify(flow, .packet) }
    default:
        fail("unknown command \(command)")
    }
} catch {
    exit(exitCode(for: error))
}
exit(0)
