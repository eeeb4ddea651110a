import Crypto
import CryptoTestSupport
import DevKit
import XCTest
@testable import IRMd

/// DHE derivations against vectors computed independently with Python's
/// `cryptography` (scripts/oap-kdf-vectors.py), and the encodings of §7.8.
final class KeyExchangeTests: XCTestCase {
    let hex = KeyExchangeTests.hexBytes

    static func hexBytes(_ s: String) -> [UInt8] { OAPTests.bytes(s) }

    func testX25519DerivationMatchesTheVector() throws {
        let a = ExchangeKey.x25519(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 32)))
        let b = ExchangeKey.x25519(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 2, count: 32)))
        XCTAssertEqual(a.publicKey, hex("302a300506032b656e032100a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209"))
        XCTAssertEqual(b.publicKey, hex("302a300506032b656e032100ce8d3ad1ccb633ec7b70c17814a5c76ecd029685050d344745ba05870e587d59"))
        let expected = hex("a5b146cdfc0291997f227ff042c3273b6221aeef61febc12efd15e80bf4736f5")
        XCTAssertEqual(try a.agree(peer: b.publicKey, kdf: nil), expected)
        XCTAssertEqual(try b.agree(peer: a.publicKey, kdf: .sha256), expected)
        XCTAssertEqual(try a.agree(peer: b.publicKey, kdf: .sha384),
                       hex("f370d70843c50e30017caf0a6a7d2d897523fd465cdc5dd395cf058d8f5bda67"))
    }

    func testP256DerivationMatchesTheVector() throws {
        let p = ExchangeKey.p256(try P256.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 3, count: 32)))
        let q = ExchangeKey.p256(try P256.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 4, count: 32)))
        XCTAssertEqual(try p.agree(peer: q.publicKey, kdf: nil),
                       hex("a6b5a65df4c24f5dbf78f9a6c0f825ea4de7846059286b81db2435160c73df43"))
        XCTAssertEqual(p.publicKey.count, 91)
    }

    func testHybridEncodingSizesAndAgreement() throws {
        let k = try ExchangeKey.generate(.x25519mlkem768)
        XCTAssertEqual(k.publicKey.count, 1216)
        XCTAssertEqual(try ExchangeKey.algorithm(ofPeerKey: k.publicKey, raw: true), .x25519mlkem768)
        let (ct, key) = try ExchangeKey.encapsulate(to: k.publicKey, algorithm: .x25519mlkem768, kdf: .sha512)
        XCTAssertEqual(ct.count, 1120)
        XCTAssertEqual(try k.decapsulate(ct, kdf: .sha512), key)
        XCTAssertNotEqual(try k.decapsulate(ct, kdf: .sha256), key)
        var bad = ct
        bad[1100] ^= 1
        XCTAssertNotEqual(try? k.decapsulate(bad, kdf: .sha512), key, "the X25519 half counts")
    }

    func testMLKEMPublicKeysAreDERAndIdentified() throws {
        for (alg, length) in [(KexAlgorithm.mlkem768, 1206), (.mlkem1024, 1590)] {
            let k = try ExchangeKey.generate(alg)
            XCTAssertEqual(k.publicKey.count, length)
            XCTAssertEqual(try ExchangeKey.algorithm(ofPeerKey: k.publicKey, raw: false), alg)
            let (ct, key) = try ExchangeKey.encapsulate(to: k.publicKey, algorithm: alg, kdf: nil)
            XCTAssertEqual(try k.decapsulate(ct, kdf: nil), key)
        }
        XCTAssertThrowsError(try ExchangeKey.algorithm(ofPeerKey: [1, 2, 3], raw: false))
        XCTAssertThrowsError(try ExchangeKey.algorithm(ofPeerKey: [UInt8](repeating: 0, count: 100), raw: true))
    }

    func testStaticKeyFilesLoad() throws {
        let dir = NSTemporaryDirectory() + "ouro-kex-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (alg, kem) in [(KexAlgorithm.mlkem768, StaticKEMKeys.Algorithm.mlkem768), (.mlkem1024, .mlkem1024),
                           (.x25519mlkem768, .x25519mlkem768)] {
            try StaticKEMKeys.install(kem, server: dir, client: dir, name: "n")
            let ext = alg.isHybrid ? "raw" : "pem"
            let key = try ExchangeKey.loadPrivate(path: "\(dir)/server/n/kex.key.\(ext)", raw: alg.isHybrid)
            XCTAssertEqual(key.algorithm, alg)
            XCTAssertEqual(try ExchangeKey.loadPublic(path: "\(dir)/client/n/kex.srv.pub.\(ext)", raw: alg.isHybrid), key.publicKey)
        }
        XCTAssertThrowsError(try ExchangeKey.loadPrivate(path: dir + "/absent", raw: false))
        XCTAssertThrowsError(try ExchangeKey.loadPublic(path: "\(dir)/server/n/kex.key.pem", raw: false), "not a public key")
    }
}
