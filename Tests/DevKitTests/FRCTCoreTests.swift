@testable import DevKit
import XCTest

/// The FRCT building blocks: header, sequence arithmetic, RTT estimation,
/// reorder queue, timer wheel.
final class FRCTCoreTests: XCTestCase {
    func testHeadersOfTheReferenceVectors() throws {
        XCTAssertEqual(FRCTVector.all.count, 15)
        for v in FRCTVector.all {
            let h = try FRCTHeader(parsing: v.header)
            XCTAssertEqual(h.flags.rawValue, v.flags, v.title)
            XCTAssertEqual(h.window, v.window, v.title)
            XCTAssertEqual(h.seqno, v.seqno, v.title)
            XCTAssertEqual(h.ackno, v.ackno, v.title)
            XCTAssertEqual(h.serialize(), v.header, v.title)
            XCTAssertEqual(v.header.withUnsafeBytes { FRCTHeader(reading: $0.baseAddress!) }, h, v.title)
        }
    }

    func testHeaderEncoding() throws {
        let h = FRCTHeader(flags: [.data, .dataRun, .flowControl], window: 0x1234_5678, seqno: 0xDEAD_BEEF, ackno: 7)
        XCTAssertEqual(h.window, 0x34_5678, "24 bits kept")
        XCTAssertEqual(h.serialize(), [0x0b, 0x34, 0x56, 0x78, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7])
        XCTAssertThrowsError(try FRCTHeader(parsing: [UInt8](repeating: 0, count: 11)))
        XCTAssertEqual(try FRCTHeader(parsing: h.serialize() + [1, 2, 3]), h, "payload after the header is ignored")
        var bytes = h.serialize()
        bytes.withUnsafeMutableBytes { FRCTHeader.patchAckno(0x0102_0304, at: $0.baseAddress!) }
        XCTAssertEqual(Array(bytes[8...]), [1, 2, 3, 4])
        XCTAssertEqual(Array(bytes[..<8]), Array(h.serialize()[..<8]))
        XCTAssertEqual(FRCTHeader.Flags.rendezvous.rawValue, 0x10)
        XCTAssertEqual(FRCTHeader.Flags.moreFragments.rawValue, 0x40)
    }

    func testSequenceArithmeticAroundTheWrap() {
        typealias S = SequenceNumber
        XCTAssertTrue(S.before(0xFFFF_FFFF, 0))
        XCTAssertTrue(S.after(0, 0xFFFF_FFFF))
        XCTAssertTrue(S.before(0xFFFF_FFF0, 0x10))
        XCTAssertFalse(S.before(5, 5))
        XCTAssertFalse(S.after(5, 5))
        XCTAssertTrue(S.before(0, 0x7FFF_FFFF))
        XCTAssertTrue(S.after(0, 0x8000_0000), "half the space apart: int32 wraps negative")
        XCTAssertTrue(S.before(0x8000_0001, 0))
        XCTAssertEqual(S.distance(from: 0xFFFF_FFFE, to: 3), 5)
    }

    func testWindowReconstruction() {
        typealias S = SequenceNumber
        XCTAssertEqual(S.reconstructWindow(0x06cf6d, current: 0x2b06_ce6c + 64), 0x2b06_cf6d)
        XCTAssertEqual(S.reconstructWindow(0x000010, current: 0x12FF_FFF0), 0x1300_0010, "low 24 bits wrapped")
        XCTAssertEqual(S.reconstructWindow(0x000020, current: 0x1300_0010), 0x1300_0020)
        XCTAssertEqual(S.reconstructWindow(0xFFFFF0, current: 0x1300_0010), 0x13FF_FFF0,
                       "as in the reference only a forward wrap is recognised")
        XCTAssertEqual(S.reconstructWindow(0x000010, current: 0xFFFF_FFF0), 0x0000_0010, "wraps 2^32")
        XCTAssertEqual(S.reconstructWindow(0x123456, current: 0xAB12_3400), 0xAB12_3456)
    }

    func testRTOAgainstHandComputedValues() {
        var r = RTTEstimator()
        XCTAssertEqual(r.rto, 1_000_000_000)
        XCTAssertEqual(r.srtt, 0)
        r.sample(8_000_000)          // srtt = 8 ms, rttvar = 4 ms
        XCTAssertEqual(r.srtt, 8_000_000)
        XCTAssertEqual(r.mdev, 4_000_000)
        XCTAssertEqual(r.rto, 24_000_000)
        r.sample(16_000_000)         // d = 8 ms: srtt 9 ms; (8 − 4) / 4 = 1 ms: rttvar 5 ms
        XCTAssertEqual(r.srtt, 9_000_000)
        XCTAssertEqual(r.mdev, 5_000_000)
        XCTAssertEqual(r.rto, 29_000_000)
        r.sample(9_000_000)          // d = 0: (0 − 5) / 4 = −1.25 ms, negative: /8 → −156.25 µs
        XCTAssertEqual(r.srtt, 9_000_000)
        XCTAssertEqual(r.mdev, 4_843_750)
        XCTAssertEqual(r.rto, 28_375_000)
        r.backOff()
        XCTAssertEqual(r.rto, 56_750_000)
        for _ in 0..<10 { r.backOff() } // 113.5, 227, then no more doublings
        XCTAssertEqual(r.rto, 227_000_000)
        XCTAssertEqual(r.backOffs, 3, "at most 8×")
        r.endBackOff()
        XCTAssertEqual(r.rto, 28_375_000)

        var slow = RTTEstimator()
        slow.sample(200_000_000)     // srtt 200 ms, mdev 100 ms: rto 600 ms
        slow.backOff()
        slow.backOff()
        XCTAssertEqual(slow.rto, 1_000_000_000, "1.2 s capped at 1 s")
        XCTAssertEqual(slow.backOffs, 1, "no doubling once at the cap")

        var initial = RTTEstimator()
        initial.backOff()
        XCTAssertEqual(initial.rto, 1_000_000_000, "the initial 1 s is not backed off further")

        var tiny = RTTEstimator()
        tiny.sample(100)             // floors: srtt 1 µs, mdev 100 ns, rto 250 µs
        XCTAssertEqual(tiny.srtt, 1_000)
        XCTAssertEqual(tiny.mdev, 100)
        XCTAssertEqual(tiny.rto, 250_000)
    }

    func testReorderQueue() {
        var q = ReorderQueue<Int>()
        XCTAssertTrue(q.insert(1, at: 0xFFFF_FFFF))
        XCTAssertTrue(q.insert(2, at: 1))
        XCTAssertFalse(q.insert(3, at: 1 &+ 256), "same slot")
        XCTAssertEqual(q.count, 2)
        XCTAssertEqual(q.firstOccupied(from: 0, before: 256), 1)
        XCTAssertEqual(q.firstOccupied(from: 0xFFFF_FFF0, before: 0xF0), 0xFFFF_FFFF)
        XCTAssertNil(q.firstOccupied(from: 2, before: 200), "only up to the end")
        XCTAssertNil(q.take(0))
        XCTAssertEqual(q.take(0xFFFF_FFFF), 1)
        XCTAssertFalse(q.isOccupied(0xFF))
        XCTAssertEqual(q.removeAll(), [2])
        XCTAssertEqual(q.count, 0)
        XCTAssertNil(q.firstOccupied(from: 0, before: 256))
    }

    func testTimerWheelPositions() {
        let w = TimerWheel<Int>(resolutionShift: 20, levelShift: 4, levels: 3, now: 0)
        XCTAssertEqual(w.position(delay: 1_000_000, now: 0)?.level, 0)
        XCTAssertEqual(w.position(delay: 1_000_000, now: 0)?.slot, 1)
        XCTAssertEqual(w.position(delay: 3 << 20, now: 10 << 20)?.slot, 14)
        let p = w.position(delay: 300_000_000, now: 0)           // 286 slots: level 1, 17 slots
        XCTAssertEqual(p?.level, 1)
        XCTAssertEqual(p?.slot, 18)
        XCTAssertEqual(w.position(delay: 10_000_000_000, now: 0)?.level, 2)
        XCTAssertNotNil(w.position(delay: UInt64(FRCTTimers.maxRetransmitDelay), now: 0))
        XCTAssertNil(w.position(delay: UInt64(FRCTTimers.maxRetransmitDelay) + 1, now: 0), "≈ 68.7 s does not fit")
    }

    func testTimerWheelExpiry() {
        let ms: UInt64 = 1_000_000
        let t0: UInt64 = 5_000 * ms
        var w = TimerWheel<String>(resolutionShift: 20, levelShift: 4, levels: 3, now: t0)
        XCTAssertTrue(w.schedule("5ms", delay: 5 * ms, now: t0))
        XCTAssertTrue(w.schedule("300ms", delay: 300 * ms, now: t0))
        XCTAssertTrue(w.schedule("20s", delay: 20_000 * ms, now: t0))
        XCTAssertFalse(w.schedule("100s", delay: 100_000 * ms, now: t0))
        XCTAssertEqual(w.count, 3)
        XCTAssertEqual(w.expire(now: t0 + 3 * ms), [])
        XCTAssertEqual(w.expire(now: t0 + 8 * ms), ["5ms"])
        XCTAssertEqual(w.expire(now: t0 + 250 * ms), [])
        XCTAssertEqual(w.expire(now: t0 + 340 * ms), ["300ms"], "fires within one level-1 slot (16.8 ms) late")
        XCTAssertEqual(w.expire(now: t0 + 19_000 * ms), [])
        XCTAssertEqual(w.expire(now: t0 + 20_600 * ms), ["20s"])
        XCTAssertTrue(w.isEmpty)

        var a = TimerWheel<Int>(resolutionShift: 18, now: t0)
        a.schedule(1, delay: 10 * ms, now: t0)
        XCTAssertEqual(a.expire(now: t0 + 9 * ms), [])
        XCTAssertEqual(a.expire(now: t0 + 11 * ms), [1])
        a.schedule(2, delay: 10 * ms, now: t0 + 11 * ms)
        XCTAssertEqual(a.expire(now: t0 + 5_000 * ms), [2], "a long stall still fires it")
        XCTAssertEqual(a.expire(now: t0 + 4_000 * ms), [], "an older clock reading does nothing")
    }
}
