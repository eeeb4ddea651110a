import Crypto
import CryptoTestSupport
import DevKit
import XCTest
@testable import IRMd

/// ML-DSA signatures of OAP headers with swift-crypto keys (the openssl CLI
/// here cannot make ML-DSA certificates, and swift-certificates cannot verify
/// them): PKCS#8 key loading, SubjectPublicKeyInfo, and the signature over
/// everything before it.
final class SignatureTests: XCTestCase {
    func header() -> [UInt8] {
        var h = OAPHeader(id: [UInt8](repeating: 3, count: 16), timestamp: OAP.realtime)
        h.certificate = [0x30, 0x00]
        h.kex = [UInt8](repeating: 1, count: 44)
        return h.serialize()
    }

    func testMLDSASignaturesFromPKCS8Seeds() throws {
        let cases: [([UInt], [UInt8])] = [
            ([2, 16, 840, 1, 101, 3, 4, 3, 18], Array(try MLDSA65.PrivateKey().seedRepresentation)),
            ([2, 16, 840, 1, 101, 3, 4, 3, 19], Array(try MLDSA87.PrivateKey().seedRepresentation)),
        ]
        for (oid, seed) in cases {
            let pem = try StaticKEMKeys.seedPEM(oid: oid, seed: seed)
            let key = try SigningKey(pem: pem)
            let data = header()
            let signature = try key.sign(data, digest: nil)
            let verifier = try VerifyingKey(spki: key.publicKey.spki)
            XCTAssertTrue(verifier.isValid(signature: signature, for: data, digest: nil))
            XCTAssertTrue(verifier.isValid(signature: signature, for: data, digest: .sha384), "ML-DSA takes no digest")
            var tampered = data
            tampered[20] ^= 1
            XCTAssertFalse(verifier.isValid(signature: signature, for: tampered, digest: nil))
        }
    }

    func testECDSAHonoursTheDigest() throws {
        let key = SigningKey.p256(P256.Signing.PrivateKey())
        let data = header()
        let signature = try key.sign(data, digest: .sha3_256)
        XCTAssertTrue(key.publicKey.isValid(signature: signature, for: data, digest: .sha3_256))
        XCTAssertFalse(key.publicKey.isValid(signature: signature, for: data, digest: .sha256))
        XCTAssertThrowsError(try key.sign(data, digest: .blake2b512))
    }

    func testUnsupportedKeyTypesAreNamed() throws {
        let pem = try StaticKEMKeys.seedPEM(oid: [2, 16, 840, 1, 101, 3, 4, 3, 17], seed: [UInt8](repeating: 1, count: 32))
        XCTAssertThrowsError(try SigningKey(pem: pem), "ML-DSA-44") {
            guard case .unsupportedKeyType = $0 as? SignatureError else { return XCTFail("\($0)") }
        }
    }
}
