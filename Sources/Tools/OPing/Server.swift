#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization
import ToolSupport

/// The oping server: echoes requests on any number of flows, watched through
/// one event set; flows idle for 10 s are deallocated (spec host.md §9.1).
final class PingServer: Sendable {
    static let idleTimeoutNs: UInt64 = 10_000_000_000
    static let sweepIntervalNs: UInt64 = 1_000_000_000

    let quiet: Bool
    let poll: Bool
    let busy: Bool
    let flows: FlowEventSet
    let events = FlowEventQueue()
    /// Each served flow's last request, monotonic ns.
    let activity = Mutex<[Int32: UInt64]>([:])

    init(_ options: OPingOptions) {
        quiet = options.quiet
        poll = options.poll
        busy = options.busy
        do {
            flows = try FlowEventSet()
        } catch {
            Console.say("Failed to create a flow set: \(error.description).")
            exit(1)
        }
    }

    /// Serves until the process is stopped (busy mode: until its flow ends).
    func run() -> Never {
        Console.say("Ouroboros ping server started." + (busy ? " [busy-poll]" : ""))
        if busy {
            serveBusy()
            exit(0)
        }
        startThread { [self] in serve() }
        while true {
            let flow = Acceptance.next { "Failed to accept flow: \($0.result)." }
            Console.say("New flow \(flow.fd).")
            do {
                try flow.setFlags([.readNonBlocking, .readWrite, .readNoPartial])
                activity.withLock { $0[flow.fd] = Deadline.now.nanoseconds }
                try flows.add(flow)
            } catch {
                Console.say("Failed to serve flow \(flow.fd): \(error.description).")
                activity.withLock { _ = $0.removeValue(forKey: flow.fd) }
                try? flow.deallocate()
            }
        }
    }

    /// Waits for events and answers them; this thread alone deallocates
    /// flows, so a descriptor is never released twice.
    private func serve() {
        let buf = IOBuffer(size: OPingOptions.maximumSize)
        let timeout: Duration = poll ? .zero : .milliseconds(100)
        var nextSweep = Deadline.now.nanoseconds + PingServer.sweepIntervalNs
        while true {
            if (try? flows.wait(into: events, timeout: timeout)) != nil {
                while let (flow, _) = events.next() { drain(flow, buf) }
            }
            let now = Deadline.now.nanoseconds
            if now >= nextSweep {
                sweep(now: now)
                nextSweep = now + PingServer.sweepIntervalNs
            }
        }
    }

    /// Echoes every request queued on `flow`; closes it when its peer is gone.
    private func drain(_ flow: Flow, _ buf: IOBuffer) {
        while let n = PacketDrain.next(flow, into: buf, ended: { close(flow) }) {
            if !quiet { Console.say("Received \(n) bytes on fd \(flow.fd).") }
            guard OPingMessage.type(of: buf.prefix(n)) == OPingMessage.echoRequest else {
                Console.say("Invalid message on fd \(flow.fd).")
                continue
            }
            activity.withLock { $0[flow.fd] = Deadline.now.nanoseconds }
            OPingMessage.markReply(buf.bytes)
            do {
                try flow.write(buf.prefix(n))
            } catch {
                Console.say("Error writing to flow (fd \(flow.fd)).")
            }
        }
    }

    /// Deallocates the flows idle for longer than the timeout.
    private func sweep(now: UInt64) {
        let idle = activity.withLock { a in
            a.filter { now > $0.value && now - $0.value > PingServer.idleTimeoutNs }.map(\.key).sorted()
        }
        for fd in idle {
            Console.say("Flow \(fd) timed out.")
            close(Flow(fd: fd))
        }
    }

    private func close(_ flow: Flow) {
        flows.remove(flow)
        activity.withLock { _ = $0.removeValue(forKey: flow.fd) }
        try? flow.deallocate()
    }

    /// Accepts one flow and answers it by spinning on non-blocking reads
    /// until the flow ends.
    private func serveBusy() {
        let flow: Flow
        do {
            flow = try Flow.accept()
            try flow.setFlags([.readNonBlocking, .readWrite, .readNoPartial])
        } catch {
            Termination.awaitExitIfRequested()
            Console.say("Failed to accept flow.")
            return
        }
        Console.say("New flow \(flow.fd) (busy-poll).")
        let buf = IOBuffer(size: OPingOptions.maximumSize)
        defer { buf.free() }
        while true {
            let n: Int
            do {
                n = try flow.read(into: buf.bytes)
            } catch .again {
                continue
            } catch .messageSize {
                continue
            } catch {
                break
            }
            guard OPingMessage.type(of: buf.prefix(n)) == OPingMessage.echoRequest else { continue }
            OPingMessage.markReply(buf.bytes)
            _ = try? flow.write(buf.prefix(n))
        }
        try? flow.deallocate()
    }
}
