import DevKit
import IPCPCommon
import XCTest
@testable import IPCPUnicast

/// The 61-byte FA message against ipcps.md §9.2 and the captured FLOW_REQ / FLOW_REPLY.
final class FlowAllocatorMessageTests: XCTestCase {
    func testSpecFlowRequest() throws {
        let digest = [UInt8](repeating: 0xD0, count: 32)
        let m = FlowAllocatorMessage(code: .request, sourceAddress: Address(0x0A0B_0C0D), senderEID: 0x1234_5678_0000_0041,
                                     qos: .raw, body: digest)
        let bytes = m.serialize()
        XCTAssertEqual(bytes.count, 61 + 32)
        XCTAssertEqual(Array(bytes[0..<8]), [0, 0, 0, 0, 0x0A, 0x0B, 0x0C, 0x0D])
        XCTAssertEqual(Array(bytes[16..<24]), [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0x41])
        XCTAssertEqual(Array(bytes[36..<40]), [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(Array(bytes[40..<48]), [0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(Array(bytes[52..<56]), [0x00, 0x01, 0xD4, 0xC0])
        XCTAssertEqual(Array(bytes[56..<61]), [0, 0, 0, 0, 0])
        XCTAssertEqual(try FlowAllocatorMessage(parsing: bytes), m)
    }

    func testCapturedRequestsAndReplies() throws {
        let vectors = try Vector.load("unicast-core.txt")
        let requests = vectors.filter { $0.title.hasPrefix("FA FLOW_REQ") }
        let replies = vectors.filter { $0.title.hasPrefix("FA FLOW_REPLY") }
        XCTAssertEqual(requests.count, 3)
        XCTAssertEqual(replies.count, 3)

        let request = try FlowAllocatorMessage(parsing: Array(requests[0].bytes.dropFirst(PCI.length)))
        XCTAssertEqual(request.code, .request)
        XCTAssertEqual(request.sourceAddress, Address(0xE681_20BE))
        XCTAssertEqual(request.receiverEID, 0)
        XCTAssertEqual(request.senderEID, 0x30CC_4FC7_0000_0042)
        var raw = QoSSpec.raw
        raw.ber = 1
        XCTAssertEqual(request.qos, raw)
        XCTAssertEqual(Array(request.body.prefix(32)), HashAlgorithm.sha3_256.digest(name: "p.A0"))
        XCTAssertEqual(request.body.count, 32 + 36, "digest, then the OAP header carried opaquely")

        let reply = try FlowAllocatorMessage(parsing: Array(replies[0].bytes.dropFirst(PCI.length)))
        XCTAssertEqual(reply.code, .reply)
        XCTAssertEqual(reply.receiverEID, request.senderEID)
        XCTAssertEqual(reply.senderEID, 0xC1DE_EAD7_0000_0042)
        XCTAssertEqual(reply.response, 0)
        XCTAssertEqual(reply.qos, FlowAllocatorMessage.noQoS)

        for v in requests + replies {
            let payload = Array(v.bytes.dropFirst(PCI.length))
            XCTAssertEqual(try FlowAllocatorMessage(parsing: payload).serialize(), payload, v.title)
            XCTAssertEqual(try PCI(parsing: v.bytes).eid, ComponentEndpoint.flowAllocator.rawValue, v.title)
        }
    }

    func testUpdateAndNegativeResponse() throws {
        let update = FlowAllocatorMessage(code: .update, receiverEID: 0x0102_0304_0506_0708, ece: 0x1234)
        let bytes = update.serialize()
        XCTAssertEqual(bytes[58], 2)
        XCTAssertEqual(Array(bytes[56..<58]), [0x12, 0x34])
        XCTAssertEqual(try FlowAllocatorMessage(parsing: bytes), update)
        let refusal = FlowAllocatorMessage(code: .reply, response: -1007)
        XCTAssertEqual(try FlowAllocatorMessage(parsing: refusal.serialize()).response, -1007)
    }

    func testMalformedMessagesAreRejected() {
        XCTAssertThrowsError(try FlowAllocatorMessage(parsing: [UInt8](repeating: 0, count: 60)))
        var unknown = FlowAllocatorMessage(code: .reply).serialize()
        unknown[58] = 3
        XCTAssertThrowsError(try FlowAllocatorMessage(parsing: unknown))
        let large = FlowAllocatorMessage(code: .request, body: [UInt8](repeating: 0, count: 2048 - 60)).serialize()
        XCTAssertThrowsError(try FlowAllocatorMessage(parsing: large)) { XCTAssertEqual($0 as? OuroError, .messageSize) }
        XCTAssertNoThrow(try FlowAllocatorMessage(parsing: Array(large.dropLast())))
    }
}
