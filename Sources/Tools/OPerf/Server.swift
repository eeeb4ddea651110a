#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization
import ToolSupport

/// The operf server: reads each flow's test type, then prints a line per
/// packet (unidirectional) or echoes (bidirectional); flows idle for a
/// second are deallocated (spec host.md §9.2).
final class PerfServer: Sendable {
    static let idleTimeoutNs: UInt64 = 1_000_000_000
    /// The client pauses this long between its configuration and its data.
    static let startGraceNs: UInt64 = 1_000_000_000
    /// How long the server waits for a new flow's configuration.
    static let configTimeout = Duration.seconds(2)

    struct Served {
        var test: OPerfTest
        var lastActivity: UInt64
    }

    let flows: FlowEventSet
    let events = FlowEventQueue()
    let served = Mutex<[Int32: Served]>([:])

    init() {
        do {
            flows = try FlowEventSet()
        } catch {
            Console.say("Failed to create a flow set: \(error.description).")
            exit(1)
        }
    }

    /// Serves until the process is stopped.
    func run() -> Never {
        Console.say("Ouroboros perf server started.")
        startThread { [self] in serve() }
        while true {
            let flow = Acceptance.next()
            Console.say("New flow \(flow.fd).")
            guard let test = configuration(of: flow) else {
                try? flow.deallocate()
                continue
            }
            Console.say(test == .bidirectional ? "Doing a bidirectional test." : "Doing a unidirectional test.")
            do {
                try flow.setFlags([.readNonBlocking, .readWrite])
                served.withLock { $0[flow.fd] = Served(test: test, lastActivity: Deadline.now.nanoseconds + PerfServer.startGraceNs) }
                try flows.add(flow)
            } catch {
                Console.say("Failed to serve flow \(flow.fd): \(error.description).")
                served.withLock { _ = $0.removeValue(forKey: flow.fd) }
                try? flow.deallocate()
            }
        }
    }

    /// The test a new flow's first message asks for; nil (and a line saying
    /// why) if it is missing or not exactly a 4-byte known type.
    private func configuration(of flow: Flow) -> OPerfTest? {
        let buf = IOBuffer(size: 8)
        defer { buf.free() }
        let n: Int
        do {
            try flow.setReceiveTimeout(PerfServer.configTimeout)
            n = try flow.read(into: buf.bytes)
            try flow.setReceiveTimeout(nil)
        } catch {
            Console.say("Failed to read config message.")
            return nil
        }
        guard let test = OPerfTest(configMessage: buf.prefix(n)) else {
            Console.say("Invalid config message.")
            return nil
        }
        return test
    }

    /// Waits for events and handles them; this thread alone deallocates
    /// served flows.
    private func serve() {
        let buf = IOBuffer(size: OPerfOptions.maximumSize)
        var nextSweep = Deadline.now.nanoseconds + 1_000_000_000
        while true {
            if (try? flows.wait(into: events, timeout: .milliseconds(100))) != nil {
                while let (flow, _) = events.next() { drain(flow, buf) }
                fflush(nil)
            }
            let now = Deadline.now.nanoseconds
            if now >= nextSweep {
                sweep(now: now)
                nextSweep = now + 1_000_000_000
            }
        }
    }

    /// Handles every packet queued on `flow`.
    private func drain(_ flow: Flow, _ buf: IOBuffer) {
        guard let test = served.withLock({ $0[flow.fd]?.test }) else { return }
        while let n = PacketDrain.next(flow, into: buf, ended: { close(flow) }) {
            served.withLock { $0[flow.fd]?.lastActivity = Deadline.now.nanoseconds }
            switch test {
            case .unidirectional:
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                print(ThroughputReport.operfSeqno(SequencePayload.loadOPerf(buf.prefix(n)) ?? 0, fd: flow.fd,
                                                  seconds: ts.tv_sec, microseconds: ts.tv_nsec / 1000))
            case .bidirectional:
                do {
                    try flow.write(buf.prefix(n))
                } catch {
                    Console.say("Error writing to flow (fd \(flow.fd)).")
                    close(flow)
                    return
                }
            }
        }
    }

    /// Deallocates the flows idle for longer than the timeout.
    private func sweep(now: UInt64) {
        let idle = served.withLock { s in
            s.filter { now > $0.value.lastActivity && now - $0.value.lastActivity > PerfServer.idleTimeoutNs }.map(\.key).sorted()
        }
        for fd in idle {
            Console.say("Flow \(fd) timed out.")
            close(Flow(fd: fd))
        }
    }

    private func close(_ flow: Flow) {
        flows.remove(flow)
        served.withLock { _ = $0.removeValue(forKey: flow.fd) }
        try? flow.deallocate()
    }
}
