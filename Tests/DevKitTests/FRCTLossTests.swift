@testable import DevKit
import XCTest

/// Two FRCT states over a simulated lossy link (1 ms each way, random drops
/// in both directions, seeded): the sender's retransmission wheel and the
/// receiver's delayed ACKs driven the way the library drives them.
final class FRCTLossTests: XCTestCase {
    private struct Link {
        var state: UInt64
        let loss: Double
        /// Drop the first data packet whatever the draw.
        var dropFirstData = false
        var inFlight: [(due: Int64, toReceiver: Bool, header: FRCTHeader, token: Int)] = []

        mutating func drop() -> Bool {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) < loss
        }

        mutating func send(_ h: FRCTHeader, token: Int, toReceiver: Bool, now: Int64) {
            var d = drop()
            if dropFirstData && h.flags.contains(.data) {
                dropFirstData = false
                d = true
            }
            if !d { inFlight.append((now + 1_000_000, toReceiver, h, token)) }
        }
    }

    /// Sends `count` packets with `qos`; returns what the receiver delivered,
    /// in order, and the sender's counters.
    private func run(qos: QoSSpec, count: Int, loss: Double, seed: UInt64,
                     dropFirstData: Bool = false) -> (delivered: [Int], sender: FRCTStatistics) {
        let ms: Int64 = 1_000_000
        var now: Int64 = 1_000_000 * ms
        var s = FRCTState(qos: qos, mplMilliseconds: 1, now: now)
        var r = FRCTState(qos: qos, mplMilliseconds: 1, now: now)
        var link = Link(state: seed, loss: loss, dropFirstData: dropFirstData)
        var wheel = TimerWheel<(seqno: UInt32, firstSent: Int64, header: FRCTHeader, token: Int)>(
            resolutionShift: 20, levelShift: 4, levels: 3, now: UInt64(now))
        var ackDue: Int64? = nil
        var delivered: [Int] = []
        var next = 0
        var idle = 0
        var tokens: [UInt32: Int] = [:]
        while idle < 60_000 && !(next == count && wheel.isEmpty && link.inFlight.isEmpty) {
            let before = delivered.count
            for p in link.inFlight.filter({ $0.due <= now }) {
                if p.toReceiver {
                    let got = r.receive(p.header, packet: p.token, now: now)
                    if let reply = got.reply { link.send(reply, token: -1, toReceiver: false, now: now) }
                    if got.delayedAck && ackDue == nil { ackDue = now + FRCTState.ackDelay }
                } else {
                    let got = s.receive(p.header, packet: -1, now: now)
                    if let reply = got.reply { link.send(reply, token: -1, toReceiver: true, now: now) }
                    if got.fastRetransmit, let (pdu, ackno) = s.resendOldest(now: now) {
                        var h = try! FRCTHeader(parsing: pdu)
                        h.ackno = ackno
                        link.send(h, token: tokens[h.seqno]!, toReceiver: true, now: now)
                    }
                }
            }
            link.inFlight.removeAll { $0.due <= now }
            while let p = r.deliver() { delivered.append(p) }
            if let a = r.acknowledgement(now: now, eager: true) { link.send(a, token: -1, toReceiver: false, now: now) }
            if let d = ackDue, d <= now {
                ackDue = nil
                if let a = r.acknowledgement(now: now, eager: false) { link.send(a, token: -1, toReceiver: false, now: now) }
            }
            while next < count && s.windowIsOpen {
                let (h, keep) = s.send(now: now) { 0xFFFF_FF00 }
                link.send(h, token: next, toReceiver: true, now: now)
                tokens[h.seqno] = next
                if keep {
                    s.keep(h.serialize() + [UInt8(truncatingIfNeeded: next)], seqno: h.seqno)
                    wheel.schedule((h.seqno, now, h, next), delay: UInt64(s.rtt.rto), now: UInt64(now))
                }
                next += 1
            }
            if next < count, let closed = s.sendWindow(now: now), closed.rendezvous {
                link.send(FRCTState.rendezvousHeader, token: -1, toReceiver: true, now: now)
            }
            for e in wheel.expire(now: UInt64(now)) {
                switch s.retransmission(of: e.seqno, firstSent: e.firstSent, now: now) {
                case .resend(let seqno, let ackno, let timeout):
                    var h = try! FRCTHeader(parsing: s.pdu(of: seqno)!)
                    h.ackno = ackno
                    link.send(h, token: tokens[seqno]!, toReceiver: true, now: now)
                    wheel.schedule(e, delay: UInt64(timeout), now: UInt64(now))
                case .wait(let timeout):
                    wheel.schedule(e, delay: UInt64(timeout), now: UInt64(now))
                case .acknowledged, .expired:
                    break
                }
            }
            idle = delivered.count == before ? idle + 1 : 0
            now += ms
        }
        return (delivered, s.currentStatistics)
    }

    func testReliableUnderTenPercentLoss() {
        let (got, st) = run(qos: .data, count: 20_000, loss: 0.10, seed: 1)
        XCTAssertTrue(got == Array(0..<20_000), "every packet, in order, once: \(got.count)")
        XCTAssertGreaterThan(st.retransmitted, 1_000)
    }

    /// Fixed defect: the first packet of a run is lost and the sender's
    /// window closes; its rendezvous probe reaches the receiver before the
    /// first packet's retransmission, which must still start the run.
    func testLostFirstPacketWithAClosedWindow() {
        let (got, st) = run(qos: .data, count: 300, loss: 0, seed: 4, dropFirstData: true)
        XCTAssertTrue(got == Array(0..<300), "every packet, in order, once: \(got.count)")
        XCTAssertGreaterThan(st.rendezvous, 0, "the probe went out before the retransmission")
    }

    /// Many short transfers under loss, each with its own draw (the first
    /// packets of a run included).
    func testManyRunsUnderTenPercentLoss() {
        for seed in UInt64(10)..<UInt64(40) {
            let (got, _) = run(qos: .data, count: 400, loss: 0.10, seed: seed)
            XCTAssertTrue(got == Array(0..<400), "seed \(seed): every packet, in order, once: \(got.count)")
        }
    }

    /// Under heavy loss nearly every ACK covers a retransmission: the RTT
    /// estimate must still follow the link (2 ms here) rather than freeze.
    func testManyRunsUnderThirtyPercentLossKeepTheirEstimate() {
        for seed in UInt64(100)..<UInt64(120) {
            let (got, st) = run(qos: .data, count: 1_000, loss: 0.30, seed: seed)
            XCTAssertTrue(got == Array(0..<1_000), "seed \(seed): every packet, in order, once: \(got.count)")
            XCTAssertLessThan(st.srtt, .milliseconds(10), "seed \(seed)")
        }
    }

    func testReliableUnderThirtyPercentLoss() {
        let (got, _) = run(qos: .data, count: 2_000, loss: 0.30, seed: 2)
        XCTAssertTrue(got == Array(0..<2_000), "every packet, in order, once: \(got.count)")
    }

    func testBestEffortUnderLossIsInOrderWithoutDuplicates() {
        let (got, st) = run(qos: .bestEffort, count: 20_000, loss: 0.10, seed: 3)
        XCTAssertEqual(got, got.sorted())
        XCTAssertEqual(Set(got).count, got.count, "no duplicates")
        XCTAssertGreaterThan(got.count, 17_000, "about 10% lost, no stall")
        XCTAssertEqual(st.retransmitted, 0)
    }
}
