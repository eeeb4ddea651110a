#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Dispatch
import Synchronization
import ToolSupport

/// The operf client: sends `size`-byte packets for the test duration, paced
/// to the rate or flooding; in a bidirectional test it counts the echoes
/// (spec host.md §9.2). Unlike the reference's, its send loop sends.
final class PerfClient: Sendable {
    /// The largest echo read.
    static let bufferSize = OPerfOptions.maximumSize
    /// No echo for this long ends a bidirectional test.
    static let echoTimeoutNs: UInt64 = 2_000_000_000

    /// A write blocked this long on a full flow fails: the server stopped reading.
    static let sendTimeout = Duration.seconds(2)

    let options: OPerfOptions
    let name: String
    let flow: Flow
    let stop: StopFlag
    let sent = Atomic<Int>(0)
    let received = Atomic<Int>(0)
    let writerDone = Atomic<Bool>(false)

    private init(_ options: OPerfOptions, flow: Flow, stop: StopFlag) {
        self.options = options
        name = options.serverName ?? ""
        self.flow = flow
        self.stop = stop
    }

    /// Allocates the flow, sends the configuration, runs the test; returns
    /// the exit status.
    static func run(_ options: OPerfOptions, test: OPerfTest, stop: StopFlag) -> Int32 {
        let flow: Flow
        do {
            flow = try Flow.allocate(to: options.serverName ?? "")
        } catch {
            Console.say(Presence.allocationFailure(error, qosName: "raw", withCode: false))
            return 1
        }
        defer { try? flow.deallocate() }
        try? flow.setSendTimeout(PerfClient.sendTimeout)
        Console.say(test == .bidirectional ? "Doing a bidirectional test." : "Doing a unidirectional test.")
        do {
            try flow.write(test.configMessage)
        } catch {
            Console.say("Failed to send configuration.")
            return 1
        }
        let client = PerfClient(options, flow: flow, stop: stop)
        client.pause(nanoseconds: 1_000_000_000)
        let start = Deadline.now.nanoseconds
        let readerDone = DispatchSemaphore(value: 0)
        if test == .bidirectional {
            startThread {
                client.reader()
                readerDone.signal()
            }
        }
        let ok = client.writer()
        let end = Deadline.now.nanoseconds
        if test == .bidirectional {
            readerDone.wait()
            Console.say(ThroughputReport.operfStatistics(name: client.name, sent: client.sent.load(ordering: .relaxed),
                                                         received: client.received.load(ordering: .relaxed),
                                                         size: options.size, elapsedUs: Int((end - start) / 1000)))
        }
        return ok ? 0 : 1
    }

    /// Sleeps, waking early when the test stops.
    private func pause(nanoseconds ns: UInt64) {
        let until = Deadline.now.adding(nanoseconds: ns)
        while !stop.isRaised, !until.hasPassed {
            var ts = timespec(tv_sec: 0, tv_nsec: Int(min(until.remainingNanoseconds, 100_000_000)))
            nanosleep(&ts, nil)
        }
    }

    /// Sends for the test duration; false if a write failed.
    private func writer() -> Bool {
        defer { writerDone.store(true, ordering: .releasing) }
        Console.say([ThroughputReport.operfStart(name: name, size: options.size, durationMs: options.durationMs,
                                                 rate: options.rate, flood: options.flood), ""])
        let buf = IOBuffer(size: options.size)
        defer { buf.free() }
        let packet = UnsafeRawBufferPointer(buf.bytes)
        let start = Deadline.now.nanoseconds
        let end = start + UInt64(options.durationMs) * 1_000_000
        var pacer = Pacer(gapNanoseconds: options.flood ? 0 : Pacer.gap(size: options.size, rate: options.rate),
                          sleeps: options.sleep, start: start)
        var ok = true
        var seq: UInt32 = 0
        while !stop.isRaised, Deadline.now.nanoseconds < end {
            SequencePayload.storeOPerf(seq, into: buf.bytes)
            do {
                try flow.write(packet)
            } catch {
                Console.say("Failed to send packet.")
                ok = false
                break
            }
            seq &+= 1
            sent.add(1, ordering: .relaxed)
            if !options.flood { pacer.waitForNext() }
        }
        Console.say("Test finished.")
        return ok
    }

    /// Counts echoes until all sent packets came back after the writer
    /// finished, or none came for two seconds.
    private func reader() {
        let buf = IOBuffer(size: PerfClient.bufferSize)
        defer { buf.free() }
        try? flow.setReceiveTimeout(.milliseconds(100))
        var lastActivity = Deadline.now.nanoseconds
        while !stop.isRaised {
            if writerDone.load(ordering: .acquiring), received.load(ordering: .relaxed) >= sent.load(ordering: .relaxed) {
                break
            }
            let n: Int
            do {
                n = try flow.read(into: buf.bytes)
            } catch .timedOut {
                if Deadline.now.nanoseconds - lastActivity >= PerfClient.echoTimeoutNs {
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
            lastActivity = Deadline.now.nanoseconds
            guard n == options.size else {
                Console.say("Invalid message on fd \(flow.fd).")
                continue
            }
            received.add(1, ordering: .relaxed)
        }
    }
}
