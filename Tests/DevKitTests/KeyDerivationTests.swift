import XCTest
@testable import DevKit

/// HKDF as spec host.md §7.8 uses it, against vectors computed independently
/// with Python's `cryptography` (scripts/oap-kdf-vectors.py).
final class KeyDerivationTests: XCTestCase {
    static func bytes(_ hex: String) -> [UInt8] {
        let c = Array(hex.utf8)
        return stride(from: 0, to: c.count, by: 2).map { UInt8(String(decoding: c[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    func testHKDFForEveryAvailableDigest() {
        let secret = [UInt8](0..<48)
        let salt = DigestAlgorithm.sha256.hash(Array("salt".utf8))!
        let expected: [(DigestAlgorithm, String)] = [
            (.sha256, "4aae2707b7375fe9030195e59074b27ad07576f59d27a8d8bd19328f85fa5399"),
            (.sha384, "99d4e6b07f77f34337de320255dabd2d3c7e941a9aad009e304bbec7d994c908"),
            (.sha512, "d20b4f072aa421b2c5e3df32880af399942b84282e960245acbd0d2b61c06906"),
            (.sha3_256, "2db2f5702db4e7524b03ab7aadf52bf85957a4ce620dc57d3ff92d502f7b46ba"),
            (.sha3_384, "3cab90b9d9d9ac706fc53adce8e8897d0d61375da12cba1ea15d36de607b0013"),
            (.sha3_512, "2ff0e946c6bb6b0cc22d587ba336564c34165d2d8732dd13c2cbfd636cf27b24"),
        ]
        for (digest, hex) in expected {
            XCTAssertEqual(KeyDerivation.hkdf(secret: secret, salt: salt, info: KeyDerivation.dheInfo, digest: digest),
                           Self.bytes(hex), digest.name)
        }
        XCTAssertEqual(KeyDerivation.hkdf(secret: secret, salt: salt, info: KeyDerivation.dheInfo, digest: nil),
                       Self.bytes(expected[0].1), "no KDF means SHA-256")
        XCTAssertNil(KeyDerivation.hkdf(secret: secret, salt: salt, info: KeyDerivation.dheInfo, digest: .blake2b512))
    }

    func testKEMSaltIsTheRecipientKeyDigest() {
        let recipient = [UInt8]((0..<1024).map { UInt8($0 % 256) })
        XCTAssertEqual(KeyDerivation.hkdf(secret: [UInt8](0..<64), salt: KeyDerivation.kemSalt(recipient),
                                          info: KeyDerivation.encapsulationInfo, digest: .sha3_256),
                       Self.bytes("08b21ca93ceefb187b29728b3d7f3b96ede4494776b5720ad78b2c90a94307e5"))
    }

    func testDHESaltOrdersTheKeys() {
        let a: [UInt8] = [1, 2, 3], b: [UInt8] = [1, 2, 4], prefix: [UInt8] = [1, 2]
        XCTAssertEqual(KeyDerivation.dheSalt(a, b), KeyDerivation.dheSalt(b, a))
        XCTAssertEqual(KeyDerivation.dheSalt(a, b), DigestAlgorithm.sha256.hash(a + b))
        XCTAssertEqual(KeyDerivation.dheSalt(a, prefix), DigestAlgorithm.sha256.hash(prefix + a), "shorter first on a common prefix")
    }

    func testRotationDerivesTheReferenceKeys() {
        let key = Self.bytes("9fe9dd71dc5928c2fe1be22d2ac42dbc0529c156a3940ac340d26eb008639e3b")
        var s = KeySchedule(key: key, rotationBit: 2)
        for _ in 0..<4 { _ = s.nextEncryption() }
        XCTAssertEqual(s.current, Self.bytes("cc15201bd94443487dcfec8de1292e33473a62a048e3c5458c8da2558ba62586"))
        for _ in 0..<4 { _ = s.nextEncryption() }
        XCTAssertEqual(s.current, Self.bytes("0375cdbc85bf63d0f6daf85b075f162943d5cb10ba38e5bd07cdf5c57db13b2f"),
                       "every rotation salts with the initial key")
    }
}
