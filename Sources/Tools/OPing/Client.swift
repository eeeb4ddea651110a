#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Dispatch
import Synchronization
import ToolSupport

/// The oping client: sends echo requests to the server and reports the round
/// trips (spec host.md §9.1).
final class PingClient: Sendable {
    /// The largest reply read.
    static let bufferSize = OPingOptions.maximumSize
    /// How often blocked loops look at the stop flag.
    static let pollSlice = Duration.milliseconds(100)

    struct Tally {
        var received = 0
        var outOfOrder = 0
        var rtt = RTTStatistics()
    }

    let options: OPingOptions
    let name: String
    let flow: Flow
    let stop: StopFlag
    let sent = Atomic<Int>(0)
    let tally = Mutex(Tally())
    /// A reply later than this after the previous one means the server is gone.
    let replyTimeoutNs: UInt64

    private init(_ options: OPingOptions, flow: Flow, stop: StopFlag) {
        self.options = options
        name = options.serverName ?? ""
        self.flow = flow
        self.stop = stop
        replyTimeoutNs = UInt64(options.intervalMs / 1000 + 2) * 1_000_000_000
    }

    /// Allocates the flow, runs the test in the chosen mode, prints the
    /// statistics; returns the exit status.
    static func run(_ options: OPingOptions, stop: StopFlag) -> Int32 {
        let flow: Flow
        do {
            flow = try Flow.allocate(to: options.serverName ?? "", qos: options.qos)
        } catch {
            Console.say(Presence.allocationFailure(error, qosName: options.qosName, withCode: true))
            return 1
        }
        let client = PingClient(options, flow: flow, stop: stop)
        let start = Deadline.now
        do {
            try flow.setFlags([.readWrite, .readNoPartial])
            switch options.mode {
            case .threaded: try client.threaded()
            case .flood: try client.flood(busy: false)
            case .floodBusy: try client.flood(busy: true)
            }
        } catch {
            Console.say("Failed to configure flow: \(error.description).")
        }
        let elapsedMs = Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e6
        let t = client.tally.withLock { $0 }
        Console.say(OPingReport.statistics(name: client.name, sent: client.sent.load(ordering: .relaxed),
                                           received: t.received, outOfOrder: t.outOfOrder,
                                           elapsedMs: elapsedMs, rtt: t.rtt))
        try? flow.deallocate()
        return 0
    }

    private func header(busy: Bool) {
        guard !options.quiet else { return }
        Console.say([OPingReport.header(name: name, size: options.size, count: options.count, busy: busy), ""])
    }

    /// Prints one reply unless quiet.
    private func report(length: Int, seq: UInt32, ms: Double, outOfOrder: Bool) {
        guard !options.quiet else { return }
        let prefix = options.timeOfDay ? OPingReport.timeOfDayPrefix() : ""
        Console.say(prefix + OPingReport.reply(length: length, name: name, seq: seq, ms: ms, outOfOrder: outOfOrder))
    }

    private static func milliseconds(since stamp: UInt64, now: UInt64) -> Double {
        Double(Int64(bitPattern: now &- stamp)) / 1e6
    }

    // MARK: threaded mode

    /// A writer sends every interval while a reader collects the replies.
    private func threaded() throws(OuroError) {
        try flow.setReceiveTimeout(PingClient.pollSlice)
        header(busy: false)
        let done = DispatchSemaphore(value: 0)
        startThread { [self] in
            writer()
            done.signal()
        }
        startThread { [self] in
            reader()
            done.signal()
        }
        done.wait()
        done.wait()
    }

    /// Sleeps `ms`, waking early when the test stops.
    private func pause(milliseconds ms: Int) {
        let until = Deadline.after(milliseconds: ms)
        while !stop.isRaised, !until.hasPassed {
            let slice = min(until.remainingNanoseconds, 100_000_000)
            var ts = timespec(tv_sec: 0, tv_nsec: Int(slice))
            nanosleep(&ts, nil)
        }
    }

    private func writer() {
        let buf = IOBuffer(size: options.size)
        defer { buf.free() }
        while !stop.isRaised, sent.load(ordering: .relaxed) < options.count {
            if options.intervalMs > 0 { pause(milliseconds: options.intervalMs) }
            if stop.isRaised { break }
            let id = sent.add(1, ordering: .relaxed).oldValue
            OPingMessage(requestID: UInt32(truncatingIfNeeded: id), monotonicNanoseconds: Deadline.now.nanoseconds)
                .encode(into: buf.bytes)
            do {
                try flow.write(UnsafeRawBufferPointer(buf.bytes))
            } catch {
                Console.say("Failed to send packet.")
                stop.raise()
            }
        }
    }

    private func reader() {
        let buf = IOBuffer(size: PingClient.bufferSize)
        defer { buf.free() }
        var expected: UInt32 = 0
        var lastActivity = Deadline.now.nanoseconds
        while !stop.isRaised, tally.withLock({ $0.received }) != options.count {
            let n: Int
            do {
                n = try flow.read(into: buf.bytes)
            } catch .timedOut {
                if Deadline.now.nanoseconds - lastActivity >= replyTimeoutNs {
                    Console.say("Server timed out.")
                    stop.raise()
                }
                continue
            } catch where error.endsFlow {
                Console.say("Failed to read packet.")
                stop.raise()
                break
            } catch {
                continue
            }
            let now = Deadline.now.nanoseconds
            lastActivity = now
            guard let m = OPingMessage.decode(buf.prefix(n)), m.type == OPingMessage.echoReply else {
                Console.say("Invalid message on fd \(flow.fd).")
                continue
            }
            guard Int(m.id) < options.count else {
                Console.say("Invalid id.")
                continue
            }
            let ms = PingClient.milliseconds(since: m.timestampNanoseconds, now: now)
            let late = m.id < expected
            tally.withLock {
                $0.received += 1
                if late { $0.outOfOrder += 1 }
                $0.rtt.add(ms)
            }
            report(length: n, seq: m.id, ms: ms, outOfOrder: late)
            if !late { expected = m.id + 1 }
        }
    }

    // MARK: flood modes

    /// Sends the next request as soon as the previous reply arrived; `busy`
    /// waits for it by spinning on non-blocking reads.
    private func flood(busy: Bool) throws(OuroError) {
        if busy {
            try flow.setFlags([.readWrite, .readNoPartial, .readNonBlocking])
        } else {
            try flow.setReceiveTimeout(.nanoseconds(Int64(replyTimeoutNs)))
        }
        header(busy: busy)
        let buf = IOBuffer(size: PingClient.bufferSize)
        defer { buf.free() }
        let size = options.size
        while !stop.isRaised, sent.load(ordering: .relaxed) < options.count {
            let id = UInt32(truncatingIfNeeded: sent.load(ordering: .relaxed))
            OPingMessage(requestID: id, monotonicNanoseconds: Deadline.now.nanoseconds).encode(into: buf.bytes)
            do {
                try flow.write(buf.prefix(size))
            } catch {
                Console.say("Failed to send packet.")
                break
            }
            sent.add(1, ordering: .relaxed)
            let n: Int
            do {
                n = try busy ? spinRead(buf) : flow.read(into: buf.bytes)
            } catch .timedOut {
                Console.say("Server timed out.")
                break
            } catch {
                if !stop.isRaised { Console.say("Failed to read packet.") }
                break
            }
            let now = Deadline.now.nanoseconds
            guard let m = OPingMessage.decode(buf.prefix(n)), m.type == OPingMessage.echoReply else { continue }
            let ms = PingClient.milliseconds(since: m.timestampNanoseconds, now: now)
            tally.withLock {
                $0.received += 1
                $0.rtt.add(ms)
            }
            report(length: size, seq: m.id, ms: ms, outOfOrder: false)
        }
    }

    /// Spins on non-blocking reads until a packet arrives, the reply timeout
    /// passes (`ETIMEDOUT`) or the test stops (`EAGAIN`).
    private func spinRead(_ buf: IOBuffer) throws(OuroError) -> Int {
        let deadline = Deadline.now.nanoseconds + replyTimeoutNs
        while true {
            do {
                return try flow.read(into: buf.bytes)
            } catch .again {
                if stop.isRaised { throw .again }
                if Deadline.now.nanoseconds >= deadline { throw .timedOut }
            }
        }
    }
}
