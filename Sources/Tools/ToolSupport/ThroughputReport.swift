import Foundation

/// The lines operf and ocbr print, in the reference's formats (spec host.md §9.2, §9.3).
public enum ThroughputReport {
    /// operf's writer, before sending.
    public static func operfStart(name: String, size: Int, durationMs: Int, rate: Int, flood: Bool) -> String {
        flood
            ? "Flooding \(name) with \(size) byte packets for \(durationMs / 1000) seconds."
            : "Sending \(size) byte packets for \(durationMs / 1000) s to \(name) at \(String(format: "%.3f", Double(rate) / 1e6)) Mb/s."
    }

    /// operf's server, per packet of a unidirectional test (wall-clock time).
    public static func operfSeqno(_ seq: UInt32, fd: Int32, seconds: Int, microseconds: Int) -> String {
        "Seqno \(Int32(bitPattern: seq)) from fd \(fd): \(seconds).\(String(format: "%06d", microseconds))"
    }

    /// operf's bidirectional statistics (loss in whole percent, bandwidth = received bits / µs).
    public static func operfStatistics(name: String, sent: Int, received: Int, size: Int, elapsedUs: Int) -> [String] {
        let loss = sent == 0 ? 0 : 100 - (100 * received) / sent
        let bw = Double(received * size * 8) / Double(elapsedUs)
        return [
            "",
            "--- \(name) perf statistics ---",
            "\(sent) packets transmitted, \(received) received, \(loss)% packet loss, "
                + "time: \(String(format: "%.3f", Double(elapsedUs) / 1000)) ms, bandwidth: \(String(format: "%.3f", bw)) Mb/s.",
        ]
    }

    /// ocbr's client, before allocating.
    public static func ocbrStart(duration: Int, rate: Int, size: Int) -> String {
        "Client started, duration \(duration), rate \(rate) b/s, size \(size) B."
    }

    /// ocbr's client, at the end.
    public static func ocbrSent(packets: Int, size: Int, ms: Int) -> String {
        let mbps = (Double(packets) / (Double(ms) * 1000)) * Double(size) * 8
        return String(format: "sent statistics: %9ld packets, %12ld bytes in %9d ms, %4.4f Mb/s",
                      packets, packets * size, Int32(truncatingIfNeeded: ms), mbps)
    }

    /// ocbr's server, every report interval of a flow.
    public static func ocbrInterval(fd: Int32, packets: Int, bytes: Int, us: Int) -> String {
        String(format: "Flow %4d: %9ld packets (%12ld bytes) in %9ld ms => %9.4f pps, %9.4f Mbps",
               fd, packets, bytes, us / 1000, Double(packets) / Double(us) * 1e6, 8 * (Double(bytes) / Double(us)))
    }

    /// ocbr's server, when a flow's test ends: what the sequence numbers show
    /// (not in the reference).
    public static func ocbrTotals(fd: Int32, received: Int, lost: Int, outOfOrder: Int) -> String {
        String(format: "Flow %4d: %9ld packets received, %9ld lost, %9ld out of order", fd, received, lost, outOfOrder)
    }
}
