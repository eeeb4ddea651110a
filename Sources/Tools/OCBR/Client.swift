import DevKit
import ToolSupport

/// The ocbr client: sends `size`-byte packets numbered from 0 at a constant
/// rate (or flooding) for the test duration (spec host.md §9.3).
enum CBRClient {
    /// A write blocked this long on a full flow fails: the server stopped reading.
    static let sendTimeout = Duration.seconds(2)

    static func run(_ o: OCBROptions, stop: StopFlag) -> Int32 {
        Console.say(ThroughputReport.ocbrStart(duration: o.duration, rate: o.rate, size: o.size))
        let flow: Flow
        do {
            flow = try Flow.allocate(to: o.serverName ?? "")
        } catch {
            Console.say(Presence.allocationFailure(error, qosName: "raw", withCode: false))
            return 1
        }
        try? flow.setSendTimeout(sendTimeout)
        let buf = IOBuffer(size: o.size)
        defer { buf.free() }
        let packet = buf.prefix(o.size)
        let start = Deadline.now.nanoseconds
        let end = start + UInt64(o.duration) * 1_000_000_000
        var pacer = Pacer(gapNanoseconds: Pacer.gap(size: o.size, rate: o.rate), sleeps: o.sleep, start: start)
        var seq: UInt64 = 0
        while !stop.isRaised {
            SequencePayload.storeOCBR(seq, into: buf.bytes)
            do {
                try flow.write(packet)
            } catch {
                break
            }
            seq += 1
            if !o.flood { pacer.waitForNext() }
            if Deadline.now.nanoseconds >= end { break }
        }
        let ms = Int((Deadline.now.nanoseconds - start) / 1_000_000)
        Console.say(ThroughputReport.ocbrSent(packets: Int(seq), size: o.size, ms: ms))
        try? flow.deallocate()
        return 0
    }
}
