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

    func testEveryDecodeRejectionRule() {
        let cases: [(String, [UInt8], Int?, OAPHeader.ParseError)] = [
            ("shorter than 36 bytes", Array(rawRequest.prefix(35)), nil, .tooShort),
            ("unknown cipher", patched(rawRequest, 24, [0x00, 0x07]), nil, .unknownCipher(7)),
            ("unknown kdf", patched(rawRequest, 26, [0x02, 0xa5]), nil, .unknownDigest(677)),
            ("unknown md", patched(rawRequest, 28, [0x00, 0x01]), nil, .unknownDigest(1)),
            ("certificate beyond the end", patched(rawRequest, 30, [0x00, 0x01]), nil, .lengthsExceedMessage),
            ("kex beyond the end", patched(rawRequest, 32, [0x00, 0x0a]), nil, .lengthsExceedMessage),
            ("kex flags do not count as length", patched(rawRequest, 32, [0xc0, 0x01]), nil, .lengthsExceedMessage),
            ("data beyond the end", patched(rawRequest, 34, [0x00, 0x01]), nil, .lengthsExceedMessage),
            ("request hash missing", rawRequest, 48, .lengthsExceedMessage),
            ("signature without certificate", rawRequest + [1, 2], nil, .signatureWithoutCertificate),
            ("response signature without certificate", rawResponse + [1], 48, .signatureWithoutCertificate),
        ]
        for (label, bytes, hashLength, expected) in cases {
            XCTAssertThrowsError(try OAPHeader(parsing: bytes, requestHashLength: hashLength), label) {
                XCTAssertEqual($0 as? OAPHeader.ParseError, expected, label)
            }
        }
        XCTAssertNoThrow(try OAPHeader(parsing: patched(rawRequest, 24, [0x03, 0xfa])), "chacha20-poly1305 is known")
    }

    func testRoundTripsWithEveryField() throws {
        var h = OAPHeader(id: [UInt8](repeating: 7, count: 16), timestamp: 0x0102_0304_0506_0708)
        h.cipherNID = 1018
        h.kdfNID = 1098
        h.mdNID = 674
        h.certificate = [1, 2, 3]
        h.kexRaw = true
        h.kexClientEncapsulates = true
        h.kex = [UInt8](repeating: 9, count: 1120)
        h.data = [4, 5]
        h.requestHash = [UInt8](repeating: 8, count: 64)
        h.signature = [6, 6, 6]
        let bytes = h.serialize()
        XCTAssertEqual(Array(bytes[32..<34]), [0xc4, 0x60], "F, R and the 14-bit length")
        XCTAssertEqual(try OAPHeader(parsing: bytes, requestHashLength: 64), h)
        h.requestHash = nil
        XCTAssertEqual(try OAPHeader(parsing: h.serialize()), h)
    }

    func patched(_ b: [UInt8], _ at: Int, _ with: [UInt8]) -> [UInt8] {
        var out = b
        out.replaceSubrange(at..<at + with.count, with: with)
        return out
    }

    func testUnauthenticatedExchange() throws {
        let client = OAP(securityDirectory: "/nonexistent", trust: TrustStore())
        let server = OAP(securityDirectory: "/nonexistent", trust: TrustStore())
        let state = try client.request(name: "n", client: SecurityPaths())
        XCTAssertEqual(state.request.count, 36)
        let (response, key) = try server.respond(to: state.request, name: "n", server: SecurityPaths())
        XCTAssertNil(key)
        XCTAssertEqual(response.count, 84)
        XCTAssertNil(try client.complete(state, response: response))
        XCTAssertThrowsError(try server.respond(to: state.request, name: "n", server: SecurityPaths()), "a replay") {
            XCTAssertEqual($0 as? OAPError, .replay)
            XCTAssertEqual(($0 as? OAPError)?.serverResult, .auth)
        }
        var tampered = response
        tampered[40] ^= 1
        XCTAssertThrowsError(try client.complete(state, response: tampered))
        XCTAssertThrowsError(try server.respond(to: rawRequest, name: "n", server: SecurityPaths()), "stale (captured earlier)") {
            XCTAssertEqual($0 as? OAPError, .stale)
        }
        var future = try OAPHeader(parsing: rawRequest)
        future.timestamp = OAP.realtime + 1_000_000_000
        XCTAssertThrowsError(try server.respond(to: future.serialize(), name: "n", server: SecurityPaths()), "from the future") {
            XCTAssertEqual($0 as? OAPError, .stale)
        }
    }

    func testAServerWithoutConfigurationAcceptsTheCapturedEncryptionRequest() throws {
        var h = try OAPHeader(parsing: encRequest)
        h.timestamp = OAP.realtime
        let (response, key) = try OAP(securityDirectory: "/nonexistent", trust: TrustStore())
            .respond(to: h.serialize(), name: "oping.enc", server: SecurityPaths())
        XCTAssertEqual(key?.cipher, .aes256GCM)
        let rsp = try OAPHeader(parsing: response, requestHashLength: 32)
        XCTAssertEqual(rsp.cipherNID, 901)
        XCTAssertEqual(rsp.kdfNID, 672)
        XCTAssertEqual(rsp.kex.count, 44, "the server's X25519 key, DER")
    }
}
