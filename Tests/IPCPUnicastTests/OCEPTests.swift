import DevKit
import IPCPCommon
import XCTest
@testable import IPCPUnicast

/// OCEP messages against ipcps.md §9.8 and the captured exchanges.
final class OCEPTests: XCTestCase {
    func testSpecOffers() {
        let a = Address(0x0A0B_0C0D)
        XCTAssertEqual(ComponentOffers.unicast.offer(.management, address: a)!.serialize(), [
            0x0A, 0x0A, 0x4D, 0x61, 0x6E, 0x61, 0x67, 0x65, 0x6D, 0x65, 0x6E, 0x74, 0x12, 0x03, 0x4C, 0x53, 0x50,
            0x18, 0x01, 0x28, 0x00, 0x40, 0x8D, 0x98, 0xAC, 0x50,
        ])
        XCTAssertEqual(ComponentOffers.unicast.offer(.dataTransfer, address: a)!.serialize(), [
            0x0A, 0x0D, 0x44, 0x61, 0x74, 0x61, 0x20, 0x54, 0x72, 0x61, 0x6E, 0x73, 0x66, 0x65, 0x72,
            0x12, 0x03, 0x64, 0x74, 0x70, 0x18, 0x01, 0x28, 0x02, 0x40, 0x8D, 0x98, 0xAC, 0x50,
        ])
        XCTAssertEqual(OCEPMessage.rejection.serialize(), [0x0A, 0x00, 0x12, 0x00, 0x18, 0x00, 0x28, 0x00, 0x40, 0x00])
    }

    func testCapturedExchanges() throws {
        let a = Address(0x1AEE_F404), b = Address(0xE681_20BE)
        let expected: [(String, ConnectionComponent, Address)] = [
            ("OCEP cep_msg \"Enrollment\" from B (initiator)", .enrollment, b),
            ("OCEP cep_msg \"Enrollment\" from A (acceptor)", .enrollment, a),
            ("OCEP cep_msg \"Management\" from B (initiator)", .management, b),
            ("OCEP cep_msg \"Management\" from A (acceptor)", .management, a),
            ("OCEP cep_msg \"Data Transfer\" from B (initiator)", .dataTransfer, b),
            ("OCEP cep_msg \"Data Transfer\" from A (acceptor)", .dataTransfer, a),
        ]
        for (title, component, address) in expected {
            let bytes = try XCTUnwrap(Vector.named(title, in: "unicast-core.txt").first, title).bytes
            let offer = ComponentOffers.unicast.offer(component, address: address)!
            XCTAssertEqual(offer.serialize(), bytes, title)
            let parsed = try OCEPMessage(parsing: bytes)
            XCTAssertEqual(parsed, offer, title)
            XCTAssertEqual(ConnectionComponent(name: parsed.componentName), component)
            XCTAssertTrue(offer.isCompatible(with: parsed))
        }
        XCTAssertEqual(ComponentOffers.unicast.offer(.enrollment, address: a)!.address, .none, "Enrollment sends no address")
    }

    func testBadMessagesAreRejected() {
        XCTAssertThrowsError(try OCEPMessage(parsing: [0x0A, 0x03, 0x41]), "truncated")
        XCTAssertThrowsError(try OCEPMessage(parsing: [0x12, 0x00]), "required fields missing")
        let long = OCEPMessage(componentName: String(repeating: "x", count: 120), protocolName: "dtp", version: 1,
                               syntax: 2, address: Address(1))
        XCTAssertGreaterThan(long.serialize().count, OCEPMessage.maxLength)
        XCTAssertThrowsError(try OCEPMessage(parsing: long.serialize()), "longer than 128 bytes")
        XCTAssertFalse(ComponentOffers.unicast.offer(.dataTransfer, address: .none)!.isCompatible(with: .rejection))
    }
}
