import XCTest
@testable import ToolSupport

final class PayloadTests: XCTestCase {
    func testOPingLayout() throws {
        #if _endian(little)
        let m = OPingMessage(type: 1, id: 0x0102_0304, seconds: 0x1122_3344_5566_7788, nanoseconds: 999_999_999)
        let bytes = m.packet(size: 64)
        XCTAssertEqual(bytes.count, 64)
        XCTAssertEqual(Array(bytes[0..<8]), [0, 0, 0, 1, 1, 2, 3, 4])
        XCTAssertEqual(Array(bytes[8..<16]), [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        XCTAssertEqual(Array(bytes[16..<24]), [0xff, 0xc9, 0x9a, 0x3b, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[24...]), [UInt8](repeating: 0, count: 40))
        XCTAssertEqual(bytes.withUnsafeBytes { OPingMessage.decode($0) }, m)
        #endif
    }

    func testOPingRequestAndReply() {
        let r = OPingMessage(requestID: 7, monotonicNanoseconds: 12_345_678_901)
        XCTAssertEqual(r.type, OPingMessage.echoRequest)
        XCTAssertEqual(r.seconds, 12)
        XCTAssertEqual(r.nanoseconds, 345_678_901)
        XCTAssertEqual(r.timestampNanoseconds, 12_345_678_901)
        var bytes = r.packet(size: 100)
        bytes.withUnsafeMutableBytes { OPingMessage.markReply($0) }
        XCTAssertEqual(Array(bytes[0..<4]), [0, 0, 0, 1])
        let back = bytes.withUnsafeBytes { OPingMessage.decode($0) }
        XCTAssertEqual(back?.type, OPingMessage.echoReply)
        XCTAssertEqual(back?.id, 7)
        XCTAssertEqual(back?.timestampNanoseconds, 12_345_678_901)
        XCTAssertNil([UInt8](repeating: 0, count: 23).withUnsafeBytes { OPingMessage.decode($0) })
        XCTAssertNil([UInt8](repeating: 0, count: 3).withUnsafeBytes { OPingMessage.type(of: $0) })
    }

    func testOPerfConfig() {
        #if _endian(little)
        XCTAssertEqual(OPerfTest.unidirectional.configMessage, [0, 0, 0, 0])
        XCTAssertEqual(OPerfTest.bidirectional.configMessage, [1, 0, 0, 0])
        #endif
        XCTAssertEqual(OPerfTest.bidirectional.configMessage.withUnsafeBytes { OPerfTest(configMessage: $0) }, .bidirectional)
        XCTAssertNil([UInt8]([1, 0, 0, 0, 0]).withUnsafeBytes { OPerfTest(configMessage: $0) })
        XCTAssertNil([UInt8]([1, 0, 0]).withUnsafeBytes { OPerfTest(configMessage: $0) })
        XCTAssertNil(withUnsafeBytes(of: UInt32(7)) { OPerfTest(configMessage: $0) })
    }

    func testSequenceNumbers() {
        var bytes = [UInt8](repeating: 0xee, count: 12)
        bytes.withUnsafeMutableBytes { SequencePayload.storeOCBR(0x0102_0304_0506_0708, into: $0) }
        #if _endian(little)
        XCTAssertEqual(Array(bytes[0..<8]), [8, 7, 6, 5, 4, 3, 2, 1])
        #endif
        XCTAssertEqual(Array(bytes[8...]), [0xee, 0xee, 0xee, 0xee])
        XCTAssertEqual(bytes.withUnsafeBytes { SequencePayload.loadOCBR($0) }, 0x0102_0304_0506_0708)
        XCTAssertNil([UInt8](repeating: 0, count: 7).withUnsafeBytes { SequencePayload.loadOCBR($0) })

        var short = [UInt8](repeating: 0xee, count: 4)
        short.withUnsafeMutableBytes { SequencePayload.storeOCBR(1, into: $0) }
        XCTAssertEqual(short, [0xee, 0xee, 0xee, 0xee])

        bytes.withUnsafeMutableBytes { SequencePayload.storeOPerf(0x0a0b_0c0d, into: $0) }
        #if _endian(little)
        XCTAssertEqual(Array(bytes[0..<4]), [0x0d, 0x0c, 0x0b, 0x0a])
        #endif
        XCTAssertEqual(bytes.withUnsafeBytes { SequencePayload.loadOPerf($0) }, 0x0a0b_0c0d)
    }

    func testOEchoMessages() {
        XCTAssertEqual(OEchoOptions.greetingMessage.count, 16)
        XCTAssertEqual(OEchoOptions.greetingMessage.last, 0)
        XCTAssertEqual(OEchoOptions.text(OEchoOptions.greetingMessage), "Client says hi!")
        XCTAssertEqual(OEchoOptions.text(Array("abc".utf8)), "abc")
    }
}
