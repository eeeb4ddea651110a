import DevKit
import IPCPCommon
import IPCPKit
import XCTest
@testable import IPCPUnicast

/// The OEP messages and the layer configuration they carry, against the capture.
final class EnrollmentTests: XCTestCase {
    private func vector(_ title: String) throws -> [UInt8] {
        try XCTUnwrap(Vector.named(title, in: "unicast-core.txt").first, title).bytes
    }

    func testCapturedEnrollment() throws {
        let id: [UInt8] = [0xB5, 0x5E, 0xBE, 0xA2, 0xB3, 0xA8, 0x30, 0x53]
        let requestBytes = try vector("OEP enroll_req_msg from B")
        XCTAssertEqual(try EnrollRequest(parsing: requestBytes), EnrollRequest(id: id))
        XCTAssertEqual(EnrollRequest(id: id).serialize(), requestBytes)

        let responseBytes = try vector("OEP enroll_resp_msg from A")
        let response = try EnrollResponse(parsing: responseBytes)
        XCTAssertEqual(response.id, id)
        XCTAssertEqual(response.seconds, 1_795_921_749)
        XCTAssertEqual(response.nanoseconds, 565_282_190)
        XCTAssertEqual(response.response, 0)
        XCTAssertEqual(response.serialize(), responseBytes)

        let config = try UnicastConfig(try XCTUnwrap(response.config))
        var expected = UnicastConfig(layer: LayerInfo(name: "uni", hashAlgorithm: .sha3_256))
        expected.directory = .dht(DHTConfig(peer: Address(0x1AEE_F404)))
        XCTAssertEqual(config, expected, "the reference's defaults, with the enroller as DHT peer")
        var rebuilt = response
        rebuilt.config = config.message
        XCTAssertEqual(rebuilt.serialize(), responseBytes, "the configuration survives a round trip byte for byte")

        let ackBytes = try vector("OEP enroll_ack_msg from B")
        XCTAssertEqual(try EnrollAck(parsing: ackBytes), EnrollAck(id: id, result: 0))
        XCTAssertEqual(EnrollAck(id: id, result: 0).serialize(), ackBytes)
    }

    func testBadMessagesAreRejected() {
        XCTAssertThrowsError(try EnrollRequest(parsing: EnrollRequest(id: [1, 2, 3]).serialize()), "id of 3 bytes")
        XCTAssertThrowsError(try EnrollRequest(parsing: [0xFF, 0xFF]))
        XCTAssertThrowsError(try EnrollResponse(parsing: EnrollRequest.random().serialize()), "no time, no response")
        XCTAssertThrowsError(try EnrollAck(parsing: [UInt8](repeating: 0, count: 1025)))
        XCTAssertEqual(EnrollRequest.random().id.count, 8)
    }

    func testConfigurationValidation() throws {
        let good = UnicastConfig(layer: LayerInfo(name: "l", hashAlgorithm: .sha3_512)).message
        XCTAssertNoThrow(try UnicastConfig(good))
        var wrongType = good
        wrongType.ipcpType = IPCPType.local.rawValue
        XCTAssertThrowsError(try UnicastConfig(wrongType))
        var badRouting = good
        badRouting.unicast.dt.routing.pol = 1
        XCTAssertThrowsError(try UnicastConfig(badRouting))
        var badPFF = good
        badPFF.unicast.dt.routing.ls.pol = 3
        XCTAssertThrowsError(try UnicastConfig(badPFF))
        var badCA = good
        badCA.unicast.congAvoid = 2
        XCTAssertThrowsError(try UnicastConfig(badCA))
        var wide = good
        wide.unicast.dt.maxTtl = 300
        XCTAssertEqual(try UnicastConfig(wide).maxTTL, 44, "8 bits wide, as in the reference")
    }
}
