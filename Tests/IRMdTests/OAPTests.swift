import DevKit
import XCTest
@testable import IRMd

/// OAP headers against bytes captured from the reference (vectors/oap.txt).
final class OAPTests: XCTestCase {
    static func bytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8.filter { $0 != 0x0a && $0 != 0x20 })
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    let rawRequest = bytes("bb4916b08826bb75ec553bc5530b7a6818ec65375d1fcf25000000000000000000000000")
    let rawResponse = bytes("""
        bb4916b08826bb75ec553bc5530b7a6818ec6537993950a30000000000000000
        000000007ba7e8ddb61cd9b3041c63f0fe9f4a05224a4d611e5f0b6061499501
        65ce85e2f64aa24b6dd07cbbb498b2c854708bbe
        """)
    let encRequest = bytes("""
        77db931fdc6232e1154e8a1f001858d818ec6539069f971f038502a002a00000
        002c0000302a300506032b656e03210088d5603c3b5c37cff1a27c7ec483b838
        fe6c8dfe7365562db094ea8e34305c67
        """)

    func testRawRequestRoundTrips() throws {
        let h = try OAPHeader(parsing: rawRequest)
        XCTAssertEqual(h.id.hexString, "bb4916b08826bb75ec553bc5530b7a68")
        XCTAssertEqual(h.timestamp, 1795921639873957669)
        XCTAssertEqual([h.cipherNID, h.kdfNID, h.mdNID], [0, 0, 0])
        XCTAssertEqual(h.serialize(), rawRequest)
    }

    func testRawResponseCarriesTheRequestHash() throws {
        let h = try OAPHeader(parsing: rawResponse, requestHashLength: 48)
        XCTAssertEqual(h.requestHash, SHA512.sha384(rawRequest))
        XCTAssertEqual(h.signature, [])
        XCTAssertEqual(h.serialize(), rawResponse)
    }

    func testEncryptedRequestFields() throws {
        let h = try OAPHeader(parsing: encRequest)
        XCTAssertEqual(h.cipherNID, 901)
        XCTAssertEqual(h.kdfNID, 672)
        XCTAssertEqual(h.kex.count, 44)
        XCTAssertFalse(h.kexRaw)
        XCTAssertEqual(h.serialize(), encRequest)
    }

    func testBadHeadersAreRejected() {
        XCTAssertThrowsError(try OAPHeader(parsing: Array(rawRequest.prefix(35))))
        var unknownCipher = rawRequest
        unknownCipher[25] = 7
        XCTAssertThrowsError(try OAPHeader(parsing: unknownCipher))
        var longKex = rawRequest
        longKex[33] = 10
        XCTAssertThrowsError(try OAPHeader(parsing: longKex))
        XCTAssertThrowsError(try OAPHeader(parsing: rawRequest + [1, 2]), "a signature without certificate")
    }

    func testUnauthenticatedExchange() throws {
        let client = OAP()
        let server = OAP()
        let state = try client.request(client: SecurityPaths())
        XCTAssertEqual(state.request.count, 36)
        let response = try server.respond(to: state.request, server: SecurityPaths())
        XCTAssertEqual(response.count, 84)
        XCTAssertNoThrow(try client.complete(state, response: response))
        XCTAssertThrowsError(try server.respond(to: state.request, server: SecurityPaths()), "a replay") {
            XCTAssertEqual($0 as? OuroError, .auth)
        }
        var tampered = response
        tampered[40] ^= 1
        XCTAssertThrowsError(try client.complete(state, response: tampered))
        XCTAssertThrowsError(try server.respond(to: rawRequest, server: SecurityPaths()), "stale (captured earlier)") {
            XCTAssertEqual($0 as? OuroError, .auth)
        }
    }

    func testEncryptionRequestsFailClearly() throws {
        var h = try OAPHeader(parsing: encRequest)
        h.timestamp = OAP.realtime
        XCTAssertThrowsError(try OAP().respond(to: h.serialize(), server: SecurityPaths())) {
            XCTAssertEqual($0 as? OuroError, .crypt)
        }
    }
}
