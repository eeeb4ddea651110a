import IPCPUnicast
import XCTest

final class LinkStateAdvertisementTests: XCTestCase {
    func testSpecExample() throws {
        let bytes: [UInt8] = [0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0x0A, 0x0B, 0x0C, 0x0D,
                              0, 0, 0, 0, 0, 0, 0, 5]
        let lsa = LinkStateAdvertisement(source: 0x0A0B_0C0D, destination: 0x0102_0304, seqno: 5)
        XCTAssertEqual(lsa.serialize(), bytes)
        XCTAssertEqual(try LinkStateAdvertisement(parsing: bytes), lsa)
    }

    func testReferenceVectors() throws {
        let a: UInt64 = 0x1aee_f404
        let b: UInt64 = 0xe681_20be
        let lsas = try Vector.load().filter { $0.title.hasPrefix("LSA from") }
        XCTAssertEqual(lsas.count, 6)
        for vector in lsas {
            let lsa = try LinkStateAdvertisement(parsing: vector.bytes)
            let fromA = vector.title.hasPrefix("LSA from A")
            XCTAssertEqual(lsa.source, fromA ? a : b, vector.title)
            XCTAssertEqual(lsa.destination, fromA ? b : a, vector.title)
            XCTAssertEqual(lsa.seqno, UInt64(vector.title.filter(\.isNumber))!, vector.title)
            XCTAssertEqual(lsa.serialize(), vector.bytes, vector.title)
        }
    }

    func testWithdrawalIsTheLSAAndAFlagByte() throws {
        let lsa = LinkStateAdvertisement(source: 0x1aee_f404, destination: 0xe681_20be, seqno: 3)
        var withdrawal = lsa
        withdrawal.withdrawn = true
        let bytes = withdrawal.serialize()
        XCTAssertEqual(bytes.count, 25)
        XCTAssertEqual(Array(bytes.prefix(24)), lsa.serialize())
        XCTAssertEqual(bytes.last, 0x01)
        XCTAssertEqual(try LinkStateAdvertisement(parsing: bytes), withdrawal)
        XCTAssertFalse(try LinkStateAdvertisement(parsing: lsa.serialize()).withdrawn)
        XCTAssertThrowsError(try LinkStateAdvertisement(parsing: lsa.serialize() + [0x02])) {
            XCTAssertEqual($0 as? LinkStateAdvertisement.ParseError, .wrongLength(25))
        }
    }

    func testMalformed() {
        XCTAssertThrowsError(try LinkStateAdvertisement(parsing: [UInt8](repeating: 1, count: 23))) {
            XCTAssertEqual($0 as? LinkStateAdvertisement.ParseError, .wrongLength(23))
        }
        XCTAssertThrowsError(try LinkStateAdvertisement(parsing: [UInt8](repeating: 1, count: 25)))
        XCTAssertThrowsError(try LinkStateAdvertisement(parsing: [UInt8]()))
        let loop = LinkStateAdvertisement(source: 7, destination: 7, seqno: 1).serialize()
        XCTAssertThrowsError(try LinkStateAdvertisement(parsing: loop)) {
            XCTAssertEqual($0 as? LinkStateAdvertisement.ParseError, .selfLoop)
        }
    }
}
