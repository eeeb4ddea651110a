#if canImport(Glibc)
import Glibc
#endif
import DevKit

// A test driver for the flow API: integration tests run it as separate
// processes (a test process must not be an Ouroboros process itself: irmd
// signals every registered process when it stops).
//
//   FlowProbe echo-server                  accept flows forever, echo each in its own thread
//   FlowProbe clients NAME FLOWS PACKETS   FLOWS concurrent flows, PACKETS echoed packets each
//   FlowProbe alloc NAME [TIMEOUT_MS]      one allocation; prints "ok" or the error code
//   FlowProbe accept TIMEOUT_MS            one accept; prints "ok" or the error code
//   FlowProbe hold NAME                    allocate, send one packet, then sleep until killed
//   FlowProbe read-until-error             accept one flow, read until an error, print its code
//   FlowProbe read-until-error-client NAME allocate a flow to NAME, read until an error, print its code
//   FlowProbe idle-client NAME TIMEOUT_MS  allocate a flow with that peer timeout, then stay silent
//   FlowProbe hog COUNT                    take COUNT blocks of the global pool, then sleep until killed
//   FlowProbe fccntl NAME                  check flow control settings on a flow to NAME
//   FlowProbe source NAME QOS BYTES SIZE   send BYTES in SIZE-byte numbered messages (QOS raw|best|video|voice|data),
//                                          then deallocate; prints progress, checksum, FRCT counters, "dealloc ok"
//   FlowProbe sink [DELAY_MS [BYTES [IDLE_MS]]]              accept one flow, wait DELAY_MS before reading, then read until the flow
//                                          goes down; checks order and content, prints messages, bytes, checksum
//   FlowProbe join LAYER                   one flow_join; prints "ok" or the error code
//   FlowProbe join-read LAYER              join, print "joined", then per message read "message BYTES bytes checksum SUM"
//   FlowProbe join-write LAYER SIZE        join, write one SIZE-byte message, print its checksum, deallocate
//   FlowProbe stall NAME QOS block|nonblock  write to a sink that does not read yet: reports how the writer is
//                                          held back ("held after N"), then "resumed" once the sink reads

func say(_ s: String) {
    print(s)
    fflush(nil)
}

func fail(_ e: OuroError) -> Never {
    say("error \(e.code)")
    exit(1)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else {
    say("usage: FlowProbe COMMAND ...")
    exit(2)
}

do throws(OuroError) {
    try OuroborosProcess.start()
    switch command {
    case "echo-server":
        say("ready \(getpid())")
        while true {
            let flow = try Flow.accept()
            startThread {
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    do {
                        let n = try buf.withUnsafeMutableBytes { try flow.read(into: $0) }
                        try flow.write(Array(buf[0..<n]))
                    } catch {
                        if let e = error as? OuroError, e != .flowDown {
                            say("flow \((try? flow.flowID()) ?? -1): error \(e.code)")
                        }
                        try? flow.deallocate()
                        return
                    }
                }
            }
        }
    case "clients":
        let name = args[1], count = Int(args[2])!, packets = Int(args[3])!
        let failures = Counter()
        let done = Counter()
        for i in 0..<count {
            startThread {
                do throws(OuroError) {
                    let flow = try Flow.allocate(to: name, timeout: .seconds(20))
                    try flow.setReceiveTimeout(.seconds(10))
                    for p in 0..<packets {
                        let msg = Array("flow \(i) packet \(p)".utf8)
                        do throws(OuroError) {
                            try flow.write(msg)
                        } catch {
                            say("flow \(i) (id \((try? flow.flowID()) ?? -1)): write \(p) failed")
                            throw error
                        }
                        guard try flow.read(maxLength: 1024) == msg else { throw OuroError.invalid }
                    }
                    try flow.deallocate()
                } catch {
                    say("flow \(i): error \(error.code)")
                    failures.add()
                }
                done.add()
            }
        }
        while done.value < count { usleep(10_000) }
        say(failures.value == 0 ? "ok" : "failed \(failures.value)")
        exit(failures.value == 0 ? 0 : 1)
    case "alloc":
        let timeout = args.count > 2 ? Duration.milliseconds(Int(args[2])!) : nil
        let flow = try Flow.allocate(to: args[1], timeout: timeout)
        say("ok \(try flow.flowID())")
        try flow.deallocate()
    case "accept":
        say("ready \(getpid())")
        let flow = try Flow.accept(timeout: .milliseconds(Int(args[1])!))
        say("ok \(try flow.flowID())")
    case "hold":
        let flow = try Flow.allocate(to: args[1], timeout: .seconds(20))
        try flow.write(Array("hello".utf8))
        say("holding \(try flow.flowID())")
        while true { sleep(100) }
    case "read-until-error":
        say("ready \(getpid())")
        let flow = try Flow.accept()
        say("accepted \(try flow.flowID())")
        while true {
            do {
                _ = try flow.read(maxLength: 1024)
            } catch {
                say("error \(error.code)")
                exit(0)
            }
        }
    case "read-until-error-client":
        let flow = try Flow.allocate(to: args[1], timeout: .seconds(20))
        say("allocated \(try flow.flowID())")
        while true {
            do {
                _ = try flow.read(maxLength: 1024)
            } catch {
                say("error \(error.code)")
                exit(0)
            }
        }
    case "idle-client":
        var qos = QoSSpec.raw
        qos.timeout = UInt32(args[2])!
        let flow = try Flow.allocate(to: args[1], qos: qos, timeout: .seconds(20))
        say("allocated \(try flow.flowID())")
        while true { sleep(100) }
    case "hog":
        let pool = try PacketPool.openGlobal(in: .current)
        for _ in 0..<Int(args[1])! { _ = try pool.allocate(length: 1000, .nonBlocking) }
        say("holding blocks")
        while true { sleep(100) }
    case "fccntl":
        let flow = try Flow.allocate(to: args[1], timeout: .seconds(20))
        try flow.setReceiveTimeout(.milliseconds(50))
        var started = Deadline.now
        do {
            _ = try flow.read(maxLength: 16)
            fail(.invalid)
        } catch {
            guard error == .timedOut, Deadline.now.nanoseconds - started.nanoseconds >= 50_000_000 else { fail(error) }
        }
        try flow.setFlags([.readWrite, .readNonBlocking])
        started = .now
        do {
            _ = try flow.read(maxLength: 16)
            fail(.invalid)
        } catch {
            guard error == .again else { fail(error) }
        }
        try flow.setFlags(.readOnly)
        do {
            try flow.write([1])
            fail(.invalid)
        } catch {
            guard error == .permission else { fail(error) }
        }
        try flow.setFlags(.default)
        guard try flow.flags() == .default, try flow.qos().ber == 1 else { fail(.invalid) }
        try flow.write(Array(repeating: 7, count: 3000))
        try flow.setReceiveTimeout(.seconds(5))
        let first = try flow.read(maxLength: 1000).count
        let rest = try flow.read(maxLength: 4000)
        guard first == 1000, rest.count == 2000 else { fail(.invalid) }
        try flow.write(Array(repeating: 8, count: 3000))
        try flow.setFlags([.readWrite, .readNoPartial])
        do {
            _ = try flow.read(maxLength: 1000)
            fail(.invalid)
        } catch {
            guard error == .messageSize else { fail(error) }
        }
        let set = try FlowEventSet()
        let queue = FlowEventQueue()
        try set.add(flow)
        try flow.write([9, 9])
        try set.wait(into: queue, timeout: .seconds(5))
        guard let event = queue.next(), event.flow == flow, event.type.contains(.packet) else { fail(.invalid) }
        guard try flow.read(maxLength: 16) == [9, 9] else { fail(.invalid) }
        do {
            try set.wait(into: FlowEventQueue(), timeout: .milliseconds(20))
            fail(.invalid)
        } catch {
            guard error == .timedOut else { fail(error) }
        }
        try flow.deallocate()
        do {
            _ = try flow.read(maxLength: 1)
            fail(.invalid)
        } catch {
            guard error == .notAllocated else { fail(error) }
        }
        say("ok")
    case "source":
        let flow = try Flow.allocate(to: args[1], qos: qosNamed(args[2]), timeout: .seconds(20))
        let total = Int(args[3])!, size = Int(args[4])!
        var sum = Checksum()
        var sent = 0
        var index: UInt64 = 0
        let started = Deadline.now
        while sent < total {
            let msg = message(index, size: min(size, total - sent))
            do {
                try flow.write(msg)
            } catch {
                say("write error \(error.code) after \(sent) bytes, \((Deadline.now.nanoseconds - started.nanoseconds) / 1_000_000) ms")
                exit(0)
            }
            sum.add(msg)
            sent += msg.count
            index += 1
            if index % 1000 == 0 { say("progress \(sent)") }
        }
        let seconds = Double(Deadline.now.nanoseconds - started.nanoseconds) / 1e9
        say("sent \(index) messages \(sent) bytes checksum \(sum.value) in \(seconds) s")
        if let st = try? flow.frctStatistics() { say(describe(st)) }
        try flow.deallocate()
        say("dealloc ok after \((Deadline.now.nanoseconds - started.nanoseconds) / 1_000_000) ms")
    case "sink":
        say("ready \(getpid())")
        let flow = try Flow.accept()
        say("accepted \(try flow.flowID())")
        if args.count > 1 { usleep(UInt32(Int(args[1])!) * 1000) }
        let expected = args.count > 2 ? Int(args[2])! : -1
        if args.count > 3 { try flow.setReceiveTimeout(.milliseconds(Int(args[3])!)) }
        var sum = Checksum()
        var count = 0, bytes = 0, gaps = 0
        var next: UInt64 = 0
        var first: UInt64?, last: UInt64 = 0
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        // Ends with the counters and the time from the first message to the last.
        func finish(_ end: Int32, deallocate: Bool) -> Never {
            let seconds = Double(last - (first ?? last)) / 1e9
            say("received \(count) messages \(bytes) bytes checksum \(sum.value) gaps \(gaps) end \(end) in \(seconds) s")
            if let st = try? flow.frctStatistics() { say(describe(st)) }
            if deallocate { try? flow.deallocate() }
            exit(0)
        }
        while true {
            let n: Int
            do {
                n = try buf.withUnsafeMutableBytes { try flow.read(into: $0) }
            } catch let error as OuroError {
                finish(error.code, deallocate: false)
            } catch {
                fail(.invalid)
            }
            last = Deadline.now.nanoseconds
            if first == nil { first = last }
            let msg = Array(buf[0..<n])
            let index = msg.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard n >= 8, index >= next, msg == message(index, size: n) else {
                say("bad message \(index) expected at least \(next) length \(n)")
                exit(1)
            }
            if index > next { gaps += 1 }
            next = index + 1
            sum.add(msg)
            count += 1
            bytes += n
            // Across a layer the peer's deallocation is not signalled: stop at the count.
            if bytes == expected { finish(0, deallocate: true) }
        }
    case "stall":
        let flow = try Flow.allocate(to: args[1], qos: qosNamed(args[2]), timeout: .seconds(20))
        let nonBlocking = args[3] == "nonblock"
        if nonBlocking { try flow.setFlags([.readWrite, .writeNonBlocking]) }
        var index: UInt64 = 0
        var held = false
        while index < 2_000 {
            let t = Deadline.now
            do {
                try flow.write(message(index, size: 1000))
                index += 1
                let waited = (Deadline.now.nanoseconds - t.nanoseconds) / 1_000_000
                if !nonBlocking, waited > 300 {
                    say("held after \(index - 1) blocked \(waited) ms")
                    held = true
                }
            } catch {
                guard nonBlocking, error == .again else { fail(error) }
                if !held { say("held after \(index) eagain") }
                held = true
                usleep(10_000)
            }
        }
        say(held ? "resumed, wrote \(index)" : "never held")
        try flow.deallocate()
    case "join":
        let flow = try Flow.join(layer: args[1])
        say("ok")
        try flow.deallocate()
    case "join-read":
        let flow = try Flow.join(layer: args[1])
        say("joined")
        while true {
            let m = try flow.read(maxLength: 65536)
            var sum = Checksum()
            sum.add(m)
            say("message \(m.count) bytes checksum \(sum.value)")
        }
    case "join-write":
        let flow = try Flow.join(layer: args[1])
        let m = message(1, size: Int(args[2])!)
        var sum = Checksum()
        sum.add(m)
        try flow.write(m)
        say("wrote \(m.count) bytes checksum \(sum.value)")
        try flow.deallocate()
    default:
        say("unknown command \(command)")
        exit(2)
    }
} catch {
    fail(error)
}

/// The QoS cube of a name on the command line.
func qosNamed(_ s: String) -> QoSSpec {
    ["raw": .raw, "best": .bestEffort, "video": .video, "voice": .voice, "data": .data][s] ?? .raw
}

/// Message `index` of `size` bytes: its index (8 bytes, big-endian), then bytes derived from it.
func message(_ index: UInt64, size: Int) -> [UInt8] {
    (0..<max(size, 8)).map { i in i < 8 ? UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(i))) : UInt8(truncatingIfNeeded: index &+ UInt64(i)) }
}

func describe(_ s: FRCTStatistics) -> String {
    "frct sent \(s.sent) retransmitted \(s.retransmitted) duplicates \(s.duplicates) out-of-order \(s.outOfOrder) srtt \(s.srtt) rto \(s.rto)"
}

/// FNV-1a (64 bits) over every byte added.
struct Checksum {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bytes: [UInt8]) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private var n = 0
    private var lock = pthread_mutex_t()
    init() { pthread_mutex_init(&lock, nil) }
    func add() {
        pthread_mutex_lock(&lock)
        n += 1
        pthread_mutex_unlock(&lock)
    }
    var value: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return n
    }
}
