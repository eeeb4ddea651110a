import DevKit
import IPCPCommon
import XCTest

/// The broadcast IPCP's OCEP offers (ipcps.md §7.3, §10 item 17).
final class BroadcastOCEPTests: XCTestCase {
    func testDataTransferOfferHasEmptyProtocolVersionAndSyntax() throws {
        let offer = try XCTUnwrap(ComponentOffers.broadcast.offer(.dataTransfer, address: .none))
        XCTAssertEqual(offer.serialize(), [
            0x0A, 0x0D, 0x44, 0x61, 0x74, 0x61, 0x20, 0x54, 0x72, 0x61, 0x6E, 0x73, 0x66, 0x65, 0x72,
            0x12, 0x00, 0x18, 0x00, 0x28, 0x00, 0x40, 0x00,
        ])
        XCTAssertEqual(try OCEPMessage(parsing: offer.serialize()), offer)
    }

    func testEnrollmentIsTheUnicastOne() {
        XCTAssertEqual(ComponentOffers.broadcast.offer(.enrollment, address: Address(7)),
                       ComponentOffers.unicast.offer(.enrollment, address: Address(7)))
    }

    func testNoManagementComponent() {
        XCTAssertFalse(ComponentOffers.broadcast.has(.management))
        XCTAssertNil(ComponentOffers.broadcast.offer(.management, address: .none))
        XCTAssertTrue(ComponentOffers.unicast.has(.management))
    }

    /// A broadcast IPCP only connects to broadcast IPCPs: the initiator's check
    /// rejects a unicast Data Transfer answer, and the other way round.
    func testUnicastAndBroadcastDataTransferAreIncompatible() throws {
        let broadcast = try XCTUnwrap(ComponentOffers.broadcast.offer(.dataTransfer, address: .none))
        let unicast = try XCTUnwrap(ComponentOffers.unicast.offer(.dataTransfer, address: Address(5)))
        XCTAssertFalse(broadcast.isCompatible(with: unicast))
        XCTAssertFalse(unicast.isCompatible(with: broadcast))
        XCTAssertTrue(broadcast.isCompatible(with: broadcast))
    }
}
