import XCTest
@testable import ToolSupport

final class StatisticsTests: XCTestCase {
    func testRTTStatistics() {
        var s = RTTStatistics()
        XCTAssertNil(s.deviation)
        s.add(0.5)
        XCTAssertNil(s.deviation)
        XCTAssertEqual(s.minimum, 0.5)
        XCTAssertEqual(s.maximum, 0.5)
        XCTAssertEqual(s.mean, 0.5)
        for ms in [1.0, 2.0, 3.0, 4.0] { s.add(ms) }
        s = RTTStatistics()
        for ms in [1.0, 2.0, 3.0, 4.0] { s.add(ms) }
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.minimum, 1)
        XCTAssertEqual(s.maximum, 4)
        XCTAssertEqual(s.mean, 2.5, accuracy: 1e-12)
        XCTAssertEqual(s.deviation!, (5.0 / 3.0).squareRoot(), accuracy: 1e-12)
    }

    func testLoss() {
        XCTAssertEqual(OPingReport.lossPercent(sent: 0, received: 0), 0)
        XCTAssertEqual(OPingReport.lossPercent(sent: 3, received: 3), 0)
        XCTAssertEqual(OPingReport.lossPercent(sent: 3, received: 2), 34)
        XCTAssertEqual(OPingReport.lossPercent(sent: 1000, received: 999), 1)
        XCTAssertEqual(OPingReport.lossPercent(sent: 10, received: 0), 100)
        XCTAssertEqual(OPingReport.lossPercent(sent: 4, received: 2), 50)
    }

    func testSequenceTally() {
        var t = SequenceTally()
        for s: UInt64 in [0, 1, 3, 2] { t.add(s) }
        XCTAssertEqual(t.received, 4)
        XCTAssertEqual(t.lost, 0)
        XCTAssertEqual(t.outOfOrder, 1)
        t.add(9)
        XCTAssertEqual(t.lost, 5)
        XCTAssertEqual(t.next, 10)
    }

    func testPacer() {
        XCTAssertEqual(Pacer.gap(size: 1000, rate: 1_000_000), 8_000_000)
        XCTAssertEqual(Pacer.gap(size: 1500, rate: 1_000_000_000), 12_000)
        var p = Pacer(gapNanoseconds: 100, sleeps: true, start: 0)
        XCTAssertEqual(p.advance(now: 0), 100)
        XCTAssertEqual(p.advance(now: 150), 200)
        XCTAssertEqual(p.advance(now: 1_000_000), 300)
        XCTAssertEqual(p.advance(now: 50_000_000), 50_000_000)
        XCTAssertEqual(p.advance(now: 50_000_010), 50_000_100)
    }
}
