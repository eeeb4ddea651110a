import Foundation

/// The lines oping prints, in the reference's formats (spec host.md §9.1).
public enum OPingReport {
    /// Round trips below 0.1 ms are shown in µs.
    static func scaled(_ ms: Double) -> (value: Double, unit: String) {
        ms < 0.1 ? (ms * 1000, "µs") : (ms, "ms")
    }

    /// The line before the first request.
    public static func header(name: String, size: Int, count: Int, busy: Bool) -> String {
        "Pinging \(name) with \(size) bytes of data (\(count) packets\(busy ? ", busy-poll" : "")):"
    }

    /// One reply.
    public static func reply(length: Int, name: String, seq: UInt32, ms: Double, outOfOrder: Bool) -> String {
        let (v, unit) = scaled(ms)
        return "\(length) bytes from \(name): seq=\(seq) time=\(String(format: "%.3f", v)) \(unit)"
            + (outOfOrder ? " [out-of-order]" : "")
    }

    /// The `-D` prefix: wall-clock seconds and microseconds.
    public static func timeOfDayPrefix(seconds: Int, microseconds: Int) -> String {
        "[\(seconds).\(String(format: "%06d", microseconds))] "
    }

    /// The current `-D` prefix.
    public static func timeOfDayPrefix() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return timeOfDayPrefix(seconds: ts.tv_sec, microseconds: ts.tv_nsec / 1000)
    }

    /// Packet loss in percent, rounded up, computed in single precision like the reference.
    public static func lossPercent(sent: Int, received: Int) -> Double {
        guard sent > 0 else { return 0 }
        let fraction: Float = Float(received) / Float(sent)
        let loss: Float = 100 - 100 * fraction
        return Double(loss).rounded(.up)
    }

    /// The statistics block: an empty line, the title, the counts and, with
    /// at least one reply, the round-trip summary.
    public static func statistics(name: String, sent: Int, received: Int, outOfOrder: Int,
                                  elapsedMs: Double, rtt: RTTStatistics) -> [String] {
        var lines = [
            "",
            "--- \(name) ping statistics ---",
            "\(sent) packets transmitted, \(received) received, \(outOfOrder) out-of-order, "
                + "\(String(format: "%.0f", lossPercent(sent: sent, received: received)))% packet loss, "
                + "time: \(String(format: "%.3f", elapsedMs)) ms",
        ]
        if rtt.count > 0 {
            let (f, unit) = rtt.mean < 0.1 ? (1000.0, "µs") : (1.0, "ms")
            let mdev = rtt.deviation.map { String(format: "%.3f", $0 * f) } ?? "NaN"
            lines.append("rtt min/avg/max/mdev = " + String(format: "%.3f/%.3f/%.3f/", rtt.minimum * f, rtt.mean * f, rtt.maximum * f)
                         + "\(mdev) \(unit)")
        }
        return lines
    }
}
