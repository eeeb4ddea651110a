import DevKit
import XCTest
@testable import IRMd

/// The negotiation tables of spec host.md §7.7 and the client's checks of §7.3.
final class NegotiationTests: XCTestCase {
    func conf(_ cipher: CipherAlgorithm?, _ kdf: DigestAlgorithm?, kex: KexAlgorithm? = .prime256v1) -> EncConfig {
        EncConfig(kex: kex, cipher: cipher, kdf: kdf, digest: .sha256)
    }

    func testServerCipherAndKDF() throws {
        typealias Row = (client: (UInt16, UInt16), server: EncConfig, encap: Bool, cipher: CipherAlgorithm, kdf: DigestAlgorithm?)
        let rows: [Row] = [
            ((901, 672), conf(.aes256GCM, .sha256), false, .aes256GCM, .sha256),
            ((1018, 672), conf(.aes256GCM, .sha256), false, .chacha20Poly1305, .sha256),
            ((895, 673), conf(.aes256GCM, .sha256), false, .aes256GCM, .sha384),
            ((901, 672), conf(.aes128GCM, .sha512), false, .aes256GCM, .sha512),
            ((904, 0), .none, false, .aes128CTR, nil),
            ((0, 0), conf(.aes192GCM, .sha3_256), false, .aes192GCM, .sha3_256),
            ((901, 674), conf(.aes256GCM, .sha256), true, .aes256GCM, .sha512),
            ((901, 672), conf(.aes256GCM, .sha256), true, .aes256GCM, .sha256),
        ]
        for r in rows {
            let (cipher, kdf) = try Negotiation.server(cipherNID: r.client.0, kdfNID: r.client.1, clientEncapsulates: r.encap,
                                                       config: r.server)
            XCTAssertEqual(cipher, r.cipher, "\(r)")
            XCTAssertEqual(kdf, r.kdf, "\(r)")
        }
    }

    func testServerRefusals() {
        let rows: [((UInt16, UInt16), EncConfig, Bool, NegotiationError)] = [
            ((0, 0), .none, false, .noCipher),
            ((901, 672), conf(.aes256GCM, .sha384), true, .clientKDFTooWeak),
        ]
        for (client, server, encap, expected) in rows {
            XCTAssertThrowsError(try Negotiation.server(cipherNID: client.0, kdfNID: client.1, clientEncapsulates: encap,
                                                        config: server)) {
                XCTAssertEqual($0 as? NegotiationError, expected)
            }
        }
        XCTAssertThrowsError(try Negotiation.checkKex(client: .prime256v1, config: conf(.aes256GCM, .sha256, kex: .x25519)))
        XCTAssertNoThrow(try Negotiation.checkKex(client: .mlkem768, config: conf(.aes256GCM, .sha256, kex: .x25519)))
        XCTAssertNoThrow(try Negotiation.checkKex(client: .prime256v1, config: .none))
    }

    func testClientChecks() throws {
        let mine = conf(.aes256GCM, .sha384)
        XCTAssertEqual(try Negotiation.client(responseCipherNID: 1018, responseKDFNID: 674, config: mine).kdf, .sha512)
        XCTAssertEqual(try Negotiation.client(responseCipherNID: 901, responseKDFNID: 0, config: mine).kdf, .sha384)
        let rows: [(UInt16, UInt16, NegotiationError)] = [
            (0, 673, .serverSentNoCipher),
            (895, 673, .serverCipherTooWeak(895)),
            (901, 672, .serverKDFTooWeak(672)),
        ]
        for (cipher, kdf, expected) in rows {
            XCTAssertThrowsError(try Negotiation.client(responseCipherNID: cipher, responseKDFNID: kdf, config: mine)) {
                XCTAssertEqual($0 as? NegotiationError, expected)
            }
        }
        var encap = mine
        encap.kemMode = .client
        XCTAssertEqual(try Negotiation.client(responseCipherNID: 901, responseKDFNID: 672, config: encap).kdf, .sha384,
                       "an encapsulating client keeps its KDF")
    }
}
