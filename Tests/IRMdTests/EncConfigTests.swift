import DevKit
import XCTest
@testable import IRMd

/// enc.conf parsing (spec host.md §7.6).
final class EncConfigTests: XCTestCase {
    func testTable() throws {
        let valid: [(String, EncConfig)] = [
            ("", .defaults),
            ("# only a comment\n\n", .defaults),
            ("kex = X25519\ncipher = aes-256-gcm\nkdf = sha256\n",
             EncConfig(kex: .x25519, cipher: .aes256GCM, kdf: .sha256, digest: .sha256)),
            ("kex=secp384r1\ncipher=chacha20-poly1305\nkdf=sha384\ndigest=sha384",
             EncConfig(kex: .secp384r1, cipher: .chacha20Poly1305, kdf: .sha384, digest: .sha384)),
            ("  kex \t=  ML-KEM-768  \nkem_mode = client\n",
             EncConfig(kex: .mlkem768, cipher: .aes256GCM, kdf: .sha256, digest: .sha256, kemMode: .client)),
            ("kex = X25519MLKEM768\r\ncipher = aes-128-ctr\r\n",
             EncConfig(kex: .x25519mlkem768, cipher: .aes128CTR, kdf: .sha256, digest: .sha256)),
            ("kex = X448\nkdf = blake2b512\n", EncConfig(kex: .x448, cipher: .aes256GCM, kdf: .blake2b512, digest: .sha256)),
            ("colour = blue\nno equals sign here\ncipher = aes-192-gcm\n",
             EncConfig(kex: .prime256v1, cipher: .aes192GCM, kdf: .sha256, digest: .sha256)),
            ("kex = X25519\nnone\ncipher = bogus\n", .none),
            ("  none  \n", .none),
        ]
        for (text, expected) in valid {
            XCTAssertEqual(try EncConfig(parsing: text), expected, text)
        }
        let invalid: [(String, String, String)] = [
            ("kex = x25519\n", "kex", "x25519"),
            ("cipher = aes-256-cbc\n", "cipher", "aes-256-cbc"),
            ("kdf = md5\n", "kdf", "md5"),
            ("digest = sha1\n", "digest", "sha1"),
            ("kem_mode = both\n", "kem_mode", "both"),
            ("kex =\n", "kex", ""),
        ]
        for (text, key, value) in invalid {
            XCTAssertThrowsError(try EncConfig(parsing: text), text) {
                XCTAssertEqual($0 as? EncConfig.ParseError, .invalidValue(key: key, value: value))
            }
        }
    }

    func testMissingFileMeansNoEncryption() throws {
        XCTAssertEqual(try EncConfig.load(path: "/nonexistent/enc.conf"), .none)
        XCTAssertEqual(try EncConfig.load(path: ""), .none)
    }

    func testRanksFollowTheReference() {
        XCTAssertEqual(KexAlgorithm.allCases.map(\.rank), Array(1...13))
        XCTAssertEqual([KexAlgorithm.ffdhe2048, .prime256v1, .x25519, .secp521r1, .mlkem512, .x448mlkem1024].map(\.rank),
                       [1, 2, 3, 8, 9, 13])
        XCTAssertEqual(CipherAlgorithm.allCases.map { Rank.cipher($0.rawValue) }, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual([DigestAlgorithm.blake2s256, .sha256, .sha3_256, .sha384, .sha3_384, .blake2b512, .sha512, .sha3_512]
                        .map { Rank.digest($0.rawValue) }, Array(1...8))
        XCTAssertEqual(Rank.cipher(0), 0)
        XCTAssertEqual(Rank.cipher(1), -1)
        XCTAssertEqual(Rank.digest(999), -1)
    }
}
