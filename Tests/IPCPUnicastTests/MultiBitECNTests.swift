import DevKit
@testable import IPCPUnicast
import XCTest

/// mb-ecn (ipcps.md §6.6.2) against hand-computed values. Times are chosen
/// on slot boundaries: slot n of the initial 2^24 ns slots starts at n << 24.
final class MultiBitECNTests: XCTestCase {
    private func at(_ slot: UInt64, plus ns: UInt64 = 0) -> UInt64 { slot << 24 + ns }

    func testReceiverReportsOnsetEveryEighthAndEnd() {
        var s = MultiBitECNState(now: 0)
        XCTAssertNil(s.received(ecn: 0), "no congestion, no report")
        XCTAssertEqual(s.received(ecn: 3), 3, "onset")
        XCTAssertNil(s.received(ecn: 3))          // 3 - 0 + 3 = 6, counter 0
        XCTAssertEqual(s.received(ecn: 3), 9)     // counter 1: due
        for level: UInt16 in [12, 15, 18, 21, 24, 27, 30] {
            XCTAssertNil(s.received(ecn: 3))      // counters 2...8
            XCTAssertEqual(s.receivedLevel, level)
        }
        XCTAssertEqual(s.received(ecn: 3), 33)    // counter 9: due
        XCTAssertNil(s.received(ecn: 3))          // counter 10
        XCTAssertEqual(s.receivedLevel, 35)       // 33 - (33 >> 5) + 3
    }

    func testReceiverDecaysToEnd() {
        var s = MultiBitECNState(now: 0)
        _ = s.received(ecn: 40)
        XCTAssertNil(s.received(ecn: 0))          // 40 >> 2 = 10
        XCTAssertEqual(s.receivedLevel, 10)
        XCTAssertNil(s.received(ecn: 0))          // 2
        XCTAssertEqual(s.received(ecn: 0), 0, "end of congestion is reported")
        XCTAssertNil(s.received(ecn: 0))
    }

    func testInitialState() {
        let s = MultiBitECNState(now: at(100, plus: 12345))
        XCTAssertEqual(s.slot, 100)
        XCTAssertEqual(s.slotShift, 24)
        XCTAssertEqual(s.byteLimit, 65536)
        XCTAssertEqual(s.increase, 65536)
        XCTAssertFalse(s.avoidingCongestion)
    }

    func testSlowStartWaitsWhenTheSlotIsFullThenDoublesAndNarrows() {
        var s = MultiBitECNState(now: at(100))
        for k in 1...70 {
            let wait = s.sending(length: 1000, now: at(100, plus: 5))
            // 66 * 1000 > 65536: wait for slot 101.
            XCTAssertEqual(wait, k < 66 ? 0 : (1 << 24) - 5, "packet \(k)")
        }
        // 71 packets, 71000 bytes: limit doubles to 131072, then the slot
        // halves (71 > 64): shift 23, slot 202, limit 65536, increase 32768.
        XCTAssertEqual(s.sending(length: 1000, now: at(101)), 0)
        XCTAssertEqual(s.slotShift, 23)
        XCTAssertEqual(s.slot, 202)
        XCTAssertEqual(s.byteLimit, 65536)
        XCTAssertEqual(s.increase, 32768)
        XCTAssertEqual(s.windowBytes, 0)
    }

    func testFewPacketsWidenTheSlot() {
        var s = MultiBitECNState(now: at(100))
        XCTAssertEqual(s.sending(length: 100, now: at(100, plus: 1)), 0)
        XCTAssertEqual(s.sending(length: 100, now: at(101)), 0)
        // 2 packets < 8: factor 2; slot 101 >> 2 = 25 (low bits 01: no carry).
        XCTAssertEqual(s.slotShift, 26)
        XCTAssertEqual(s.slot, 25)
        XCTAssertEqual(s.byteLimit, 262144)
        XCTAssertEqual(s.increase, 262144)
        XCTAssertEqual(s.windowPackets, 0)
    }

    func testWideningOnAnAlignedSlotCarriesTheWindowOver() {
        var s = MultiBitECNState(now: at(127))
        _ = s.sending(length: 100, now: at(127, plus: 1))
        XCTAssertEqual(s.sending(length: 100, now: at(128)), 0)
        // 128 >> 2 = 32, low bits 00: carry, slot 33, window kept.
        XCTAssertEqual(s.slotShift, 26)
        XCTAssertEqual(s.slot, 33)
        XCTAssertEqual(s.windowPackets, 2)
        XCTAssertEqual(s.windowBytes, 200)
    }

    func testCongestionAvoidanceDecreasesThenIncreases() {
        var s = MultiBitECNState(now: at(100))
        s.reported(1024)
        XCTAssertTrue(s.avoidingCongestion)
        for _ in 0..<10 { _ = s.sending(length: 1000, now: at(100, plus: 7)) }
        _ = s.sending(length: 1000, now: at(101))
        // 65536 - (65536 * 1024) >> 13 = 65536 - 8192.
        XCTAssertEqual(s.byteLimit, 57344)
        s.reported(0)
        for _ in 0..<10 { _ = s.sending(length: 1000, now: at(101, plus: 7)) }
        _ = s.sending(length: 1000, now: at(102))
        // 11 packets of 1000 bytes in slot 101, plus the increase.
        XCTAssertEqual(s.byteLimit, 11000 + 65536)
        XCTAssertTrue(s.avoidingCongestion, "slow start is left for good")
    }

    func testReportGoesStaleAfter32Packets() {
        var s = MultiBitECNState(now: at(100))
        s.reported(100)
        for _ in 0..<32 { _ = s.sending(length: 10, now: at(100, plus: 1)) }
        XCTAssertEqual(s.reportedLevel, 100)
        _ = s.sending(length: 10, now: at(100, plus: 1))
        XCTAssertEqual(s.reportedLevel, 0)
    }

    func testMarkingLevelsOnAFullSizeRingAreTheReferences() {
        XCTAssertEqual(MultiBitECN.level(queued: 0, window: 1023), 0)
        XCTAssertEqual(MultiBitECN.level(queued: 15, window: 1023), 0)
        XCTAssertEqual(MultiBitECN.level(queued: 16, window: 1023), 1)
        XCTAssertEqual(MultiBitECN.level(queued: 1023, window: 1023), 63)
    }

    func testMarkingLevelsScaleToTheFlowsWindow() {
        // 96 packets of 1000 bytes: a quarter of the global pool's 2048-byte blocks.
        XCTAssertEqual(MultiBitECN.level(queued: 15, window: 96), 0, "no mark below 16 queued, as the reference")
        XCTAssertEqual(MultiBitECN.level(queued: 16, window: 96), 10)
        XCTAssertEqual(MultiBitECN.level(queued: 48, window: 96), 32)
        XCTAssertEqual(MultiBitECN.level(queued: 96, window: 96), 63)
        XCTAssertEqual(MultiBitECN.level(queued: 200, window: 96), 63, "a queue over the window marks as full")
        XCTAssertEqual(MultiBitECN.level(queued: 5, window: 0), 0)
    }

    func testContextUsesTheClock() {
        let ca = MultiBitECN(clock: { 100 << 24 })
        let ctx = ca.makeContext()
        XCTAssertEqual(ctx.received(length: 10, ecn: 5), 5)
        XCTAssertEqual(ctx.sending(length: 70000), (101 << 24) - (100 << 24), "over the limit: wait for the next slot")
    }

    /// A burst that drains within a window leaves no standing queue; a queue
    /// that stays a whole window does; after a silence it starts from zero.
    func testStandingQueueIgnoresBurstsThatDrain() {
        let q = StandingQueues()
        let w = StandingQueues.window
        var t: UInt64 = 10 * w
        // Bursts of 40 that drain to 0 within every window.
        for _ in 0..<5 {
            for depth in [40, 30, 20, 10, 0] {
                XCTAssertEqual(q.observe(fd: 7, queued: depth, now: t), 0)
                t += w / 5
            }
        }
        // The queue stays at 50 or more: from the next window on it stands.
        var seen: [Int] = []
        for depth in [60, 50, 70, 55, 60, 50, 80, 90, 60, 65] {
            seen.append(q.observe(fd: 7, queued: depth, now: t))
            t += w / 5
        }
        XCTAssertEqual(seen.prefix(5), [0, 0, 0, 0, 0], "the window before still had a drained queue")
        XCTAssertEqual(Array(seen.suffix(5)), [50, 50, 50, 50, 50], "at most the last window's minimum")
        XCTAssertEqual(q.observe(fd: 7, queued: 10, now: t), 10, "never more than the queue now")
        // A silence of more than two windows: nothing stood.
        t += 3 * w
        XCTAssertEqual(q.observe(fd: 7, queued: 90, now: t), 0)
        XCTAssertEqual(q.observe(fd: -1, queued: 9, now: t), 9, "an fd out of range is taken as it is")
    }
}
