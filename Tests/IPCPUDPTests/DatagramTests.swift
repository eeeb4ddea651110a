import DevKit
@testable import IPCPUDP
import XCTest

/// Management and data datagrams against the reference's captured udp4 bytes
/// (Fixtures/udp4.txt) and ipcps.md §9.3.
final class DatagramTests: XCTestCase {
    private func parse(_ bytes: [UInt8]) throws -> ManagementMessage {
        try bytes.withUnsafeBytes { b in try ManagementMessage(parsing: b) }
    }

    func testFlowRequestVectors() throws {
        for (title, eid, name) in [("raw: FLOW_REQ (oping.raw)", 64, "oping.raw"), ("ka: FLOW_REQ (ocbr.ka)", 66, "ocbr.ka")] {
            let bytes = Vectors.bytes(title)
            guard case .request(let r) = try parse(bytes) else { return XCTFail(title) }
            XCTAssertEqual(r.requesterEID, UInt32(eid))
            XCTAssertEqual(r.qos, .raw)
            XCTAssertEqual(r.digest, HashAlgorithm.md5.digest(name: name))
            XCTAssertEqual(r.payload.count, 36, "the OAP request")
            XCTAssertEqual(r.serialize(), bytes, title)
        }
    }

    func testFlowReplyVectors() throws {
        for (title, requester, responder) in [("raw: FLOW_REPLY (oping.raw)", 64, 64), ("ka: FLOW_REPLY (ocbr.ka)", 66, 68)] {
            let bytes = Vectors.bytes(title)
            guard case .reply(let r) = try parse(bytes) else { return XCTFail(title) }
            XCTAssertEqual(r.requesterEID, UInt32(requester))
            XCTAssertEqual(r.responderEID, UInt32(responder))
            XCTAssertEqual(r.response, 0)
            XCTAssertEqual(r.payload.count, 84, "the OAP response")
            XCTAssertEqual(ManagementMessage.reply(r).serialize(), bytes, title)
        }
    }

    func testDataVectors() throws {
        let cases = [("raw: data request ping #0", 64, 64), ("raw: data reply ping #1", 64, 64),
                     ("ka: data (the single ocbr packet)", 68, 64), ("ka: keepalive from B", 66, 0),
                     ("ka: keepalive from A", 68, 0)]
        for (title, eid, sdu) in cases {
            let bytes = Vectors.bytes(title)
            XCTAssertEqual(bytes.count, DataDatagram.headerLength + sdu, title)
            XCTAssertEqual(try bytes.withUnsafeBytes { b in try DataDatagram.eid(of: b) }, UInt32(eid), title)
            var header = [UInt8](repeating: 0xff, count: 4)
            header.withUnsafeMutableBytes { DataDatagram.write(eid: UInt32(eid), to: $0) }
            XCTAssertEqual(header, Array(bytes.prefix(4)), title)
        }
    }

    /// ipcps.md §9.3: FLOW_REQ from fd 70 and the responder's accepting reply from fd 80.
    func testSpecExample() {
        let digest = [UInt8](repeating: 0xd0, count: 16)
        let request = FlowRequest(requesterEID: 70, qos: .raw, digest: digest, payload: [1, 2]).serialize()
        XCTAssertEqual(request.count, 47 + 16 + 2)
        XCTAssertEqual(Array(request[0..<16]), [0, 0, 0, 0, 0, 0, 0, 0x46, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(request[24..<47]), [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff,
                                                  0, 1, 0xd4, 0xc0, 1, 0, 0])
        let reply = FlowReply(requesterEID: 70, responderEID: 80, response: 0, payload: []).serialize()
        XCTAssertEqual(reply, [0, 0, 0, 0, 0, 0, 0, 0x46, 0, 0, 0, 0x50, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 28) + [2, 0, 0])
        let refusal = FlowReply(requesterEID: 70, responderEID: 0, response: -1007, payload: []).serialize()
        XCTAssertEqual(Array(refusal[12..<16]), [0xff, 0xff, 0xfc, 0x11])
    }

    func testMalformedManagementDatagrams() {
        func error(_ bytes: [UInt8]) -> DatagramError? {
            do {
                _ = try parse(bytes)
                return nil
            } catch {
                return error as? DatagramError
            }
        }
        XCTAssertEqual(error([0, 0, 0, 0] + [UInt8](repeating: 0, count: 26)), .short(needed: 47, got: 30))
        XCTAssertEqual(error([0, 0, 0, 1] + [UInt8](repeating: 0, count: 60)), .notManagement)
        XCTAssertEqual(error([UInt8](repeating: 0, count: 44) + [7, 0, 0]), .unknownCode(7))
        XCTAssertEqual(error([UInt8](repeating: 0, count: 44) + [1, 0, 0] + [1, 2, 3]), .short(needed: 63, got: 50))
        XCTAssertEqual(error(Array(Vectors.bytes("raw: FLOW_REQ (oping.raw)").prefix(62))), .short(needed: 63, got: 62))
        XCTAssertNil(error([UInt8](repeating: 0, count: 44) + [2, 0, 0]), "an empty FLOW_REPLY body is fine")
        XCTAssertThrowsError(try [UInt8]([0, 1, 2]).withUnsafeBytes { b in try DataDatagram.eid(of: b) })
    }
}
