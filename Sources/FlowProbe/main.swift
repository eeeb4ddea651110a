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
    default:
        say("unknown command \(command)")
        exit(2)
    }
} catch {
    fail(error)
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
