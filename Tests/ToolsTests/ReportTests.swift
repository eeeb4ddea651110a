import XCTest
@testable import ToolSupport

final class ReportTests: XCTestCase {
    func testOPingLines() {
        XCTAssertEqual(OPingReport.header(name: "srv", size: 64, count: 3, busy: false),
                       "Pinging srv with 64 bytes of data (3 packets):")
        XCTAssertEqual(OPingReport.header(name: "srv", size: 64, count: 3, busy: true),
                       "Pinging srv with 64 bytes of data (3 packets, busy-poll):")
        XCTAssertEqual(OPingReport.reply(length: 64, name: "srv", seq: 2, ms: 0.25, outOfOrder: false),
                       "64 bytes from srv: seq=2 time=0.250 ms")
        XCTAssertEqual(OPingReport.reply(length: 64, name: "srv", seq: 0, ms: 0.041, outOfOrder: true),
                       "64 bytes from srv: seq=0 time=41.000 µs [out-of-order]")
        XCTAssertEqual(OPingReport.timeOfDayPrefix(seconds: 1_700_000_000, microseconds: 42), "[1700000000.000042] ")
    }

    func testOPingStatistics() {
        var rtt = RTTStatistics()
        for ms in [0.2, 0.3, 0.4] { rtt.add(ms) }
        XCTAssertEqual(OPingReport.statistics(name: "srv", sent: 3, received: 3, outOfOrder: 0, elapsedMs: 3001.5, rtt: rtt), [
            "",
            "--- srv ping statistics ---",
            "3 packets transmitted, 3 received, 0 out-of-order, 0% packet loss, time: 3001.500 ms",
            "rtt min/avg/max/mdev = 0.200/0.300/0.400/0.100 ms",
        ])
        var one = RTTStatistics()
        one.add(0.041)
        XCTAssertEqual(OPingReport.statistics(name: "srv", sent: 2, received: 1, outOfOrder: 0, elapsedMs: 1, rtt: one).last,
                       "rtt min/avg/max/mdev = 41.000/41.000/41.000/NaN µs")
        XCTAssertEqual(OPingReport.statistics(name: "srv", sent: 3, received: 0, outOfOrder: 0, elapsedMs: 5,
                                              rtt: RTTStatistics()).count, 3)
        XCTAssertEqual(OPingReport.statistics(name: "srv", sent: 3, received: 2, outOfOrder: 1, elapsedMs: 5, rtt: one)[2],
                       "3 packets transmitted, 2 received, 1 out-of-order, 34% packet loss, time: 5.000 ms")
    }

    func testOPerfLines() {
        XCTAssertEqual(ThroughputReport.operfStart(name: "srv", size: 1500, durationMs: 5000, rate: 1_000_000, flood: false),
                       "Sending 1500 byte packets for 5 s to srv at 1.000 Mb/s.")
        XCTAssertEqual(ThroughputReport.operfStart(name: "srv", size: 64, durationMs: 60_000, rate: 0, flood: true),
                       "Flooding srv with 64 byte packets for 60 seconds.")
        XCTAssertEqual(ThroughputReport.operfSeqno(5, fd: 64, seconds: 12, microseconds: 3400), "Seqno 5 from fd 64: 12.003400")
        XCTAssertEqual(ThroughputReport.operfStatistics(name: "srv", sent: 100, received: 99, size: 1500, elapsedUs: 1_000_000), [
            "",
            "--- srv perf statistics ---",
            "100 packets transmitted, 99 received, 1% packet loss, time: 1000.000 ms, bandwidth: 1.188 Mb/s.",
        ])
    }

    func testOCBRLines() {
        XCTAssertEqual(ThroughputReport.ocbrStart(duration: 60, rate: 1_000_000, size: 1000),
                       "Client started, duration 60, rate 1000000 b/s, size 1000 B.")
        XCTAssertEqual(ThroughputReport.ocbrSent(packets: 1000, size: 1000, ms: 1000),
                       "sent statistics:      1000 packets,      1000000 bytes in      1000 ms, 8.0000 Mb/s")
        XCTAssertEqual(ThroughputReport.ocbrInterval(fd: 64, packets: 1000, bytes: 1_000_000, us: 1_000_000),
                       "Flow   64:      1000 packets (     1000000 bytes) in      1000 ms => 1000.0000 pps,    8.0000 Mbps")
        XCTAssertEqual(ThroughputReport.ocbrTotals(fd: 64, received: 10, lost: 2, outOfOrder: 0),
                       "Flow   64:        10 packets received,         2 lost,         0 out of order")
    }
}
