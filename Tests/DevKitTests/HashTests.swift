import XCTest
@testable import DevKit

final class HashTests: XCTestCase {
    func testSHA3KnownAnswers() {
        XCTAssertEqual(HashAlgorithm.sha3_256.digest(name: "abc").hexString,
                       "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        XCTAssertEqual(HashAlgorithm.sha3_224.digest(name: "").hexString,
                       "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7")
        XCTAssertEqual(HashAlgorithm.sha3_384.digest(name: "abc").hexString,
                       "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25")
        XCTAssertEqual(HashAlgorithm.sha3_512.digest(name: "abc").hexString,
                       "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0")
    }

    func testSHA3MultiBlock() {
        // 200 bytes spans two SHA3-256 blocks (rate 136).
        let input = [UInt8](repeating: 0xa3, count: 200)
        XCTAssertEqual(HashAlgorithm.sha3_256.digest(input).hexString,
                       "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
    }

    func testMD5KnownAnswers() {
        XCTAssertEqual(HashAlgorithm.md5.digest(name: "").hexString, "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(HashAlgorithm.md5.digest(name: "The quick brown fox jumps over the lazy dog").hexString,
                       "9e107d9d372bb6826bd81d3542a419d6")
    }

    func testCRC32() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF43926)
    }
}

final class SHA512Tests: XCTestCase {
    func testSHA384AndSHA512() {
        XCTAssertEqual(SHA512.sha384(Array("abc".utf8)).hexString,
                       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        XCTAssertEqual(SHA512.sha512([UInt8](repeating: 0x61, count: 200)).hexString,
                       "4b11459c33f52a22ee8236782714c150a3b2c60994e9acee17fe68947a3e6789f31e7668394592da7bef827cddca88c4e6f86e4df7ed1ae6cba71f3e98faee9f")
    }
}
