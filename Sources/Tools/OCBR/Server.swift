#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization
import ToolSupport

/// The ocbr server: up to ten flows at once, each reporting what it received
/// every interval until no data came for the timeout (spec host.md §9.3).
/// At the end of each test it also reports what the sequence numbers show.
final class CBRServer: Sendable {
    static let maximumFlows = 10
    static let readSlice = Duration.milliseconds(100)

    let intervalNs: UInt64
    let timeoutNs: UInt64
    let reportInterval: Int
    let timeout: Int
    let active = Mutex(0)
    let slotFreed = ConditionSignal()

    init(_ o: OCBROptions) {
        reportInterval = o.reportInterval
        timeout = o.timeout
        intervalNs = UInt64(o.reportInterval) * 1_000_000_000
        timeoutNs = UInt64(o.timeout) * 1_000_000_000
    }

    /// Accepts flows until the process is stopped.
    func run() -> Never {
        Console.say("Server started, interval is \(reportInterval) s, timeout is \(timeout) s.")
        while true {
            if active.withLock({ $0 }) >= CBRServer.maximumFlows {
                Console.say("Can't accept any more flows, waiting.")
                slotFreed.wait { active.withLock { $0 } < CBRServer.maximumFlows }
            }
            let flow = Acceptance.next()
            Console.say("New flow.")
            active.withLock { $0 += 1 }
            startThread { [self] in
                measure(flow)
                active.withLock { $0 -= 1 }
                slotFreed.broadcast()
            }
        }
    }

    /// Counts what arrives on `flow`, reporting every interval, until no
    /// packet came for the timeout; then deallocates it.
    private func measure(_ flow: Flow) {
        let buf = IOBuffer(size: OCBROptions.maximumSize)
        defer { buf.free() }
        try? flow.setFlags([.readWrite, .readNoPartial])
        try? flow.setReceiveTimeout(CBRServer.readSlice)
        var tally = SequenceTally()
        var intervalStart = Deadline.now.nanoseconds
        var intervalEnd = intervalStart + intervalNs
        var alive = intervalStart
        var packets = 0, bytes = 0, packetsBefore = 0, bytesBefore = 0
        var done = false
        while !done {
            let now = Deadline.now.nanoseconds
            do {
                let n = try flow.read(into: buf.bytes)
                alive = Deadline.now.nanoseconds
                packets += 1
                bytes += n
                if let seq = SequencePayload.loadOCBR(buf.prefix(n)) { tally.add(seq) }
            } catch .timedOut {
            } catch {
                if error != .messageSize { pause(CBRServer.readSlice) }
            }
            if now > alive && now - alive > timeoutNs {
                Console.say("Test on flow \(flow.fd) timed out")
                done = true
            }
            if done || now > intervalEnd {
                let us = Int((now - intervalStart) / 1000)
                Console.say(ThroughputReport.ocbrInterval(fd: flow.fd, packets: packets - packetsBefore,
                                                          bytes: bytes - bytesBefore, us: us))
                intervalStart = intervalEnd
                intervalEnd += intervalNs
                packetsBefore = packets
                bytesBefore = bytes
            }
        }
        if tally.received > 0 {
            Console.say(ThroughputReport.ocbrTotals(fd: flow.fd, received: tally.received,
                                                    lost: tally.lost, outOfOrder: tally.outOfOrder))
        }
        try? flow.deallocate()
    }

    /// Waits out a read slice on a flow that cannot deliver (it is down), so
    /// the test ends after the timeout as for a silent sender.
    private func pause(_ d: Duration) {
        var ts = timespec(tv_sec: 0, tv_nsec: Int(d.components.attoseconds / 1_000_000_000))
        nanosleep(&ts, nil)
    }
}
