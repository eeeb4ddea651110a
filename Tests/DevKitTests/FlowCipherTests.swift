import XCTest
@testable import DevKit

/// Per-packet encryption and the key phase logic (spec host.md §7.10).
final class FlowCipherTests: XCTestCase {
    let key = [UInt8]((0..<32).map { UInt8($0 * 7 & 0xff) })

    func encrypt(_ c: FlowCipher, _ p: [UInt8]) throws -> [UInt8] {
        try p.withUnsafeBytes { (b) throws(OuroError) -> [UInt8] in try c.encrypt(b) }
    }

    func decrypt(_ c: FlowCipher, _ p: [UInt8]) -> [UInt8]? { p.withUnsafeBytes { c.decrypt($0) } }

    func testEveryCipherRoundTripsWithItsLayout() throws {
        let plain = [UInt8](repeating: 0x5a, count: 100)
        for algorithm in CipherAlgorithm.allCases {
            let tx = try FlowCipher(algorithm: algorithm, key: key), rx = try FlowCipher(algorithm: algorithm, key: key)
            let sealed = try encrypt(tx, plain)
            XCTAssertEqual(sealed.count, algorithm.ivLength + plain.count + algorithm.tagLength, algorithm.name)
            XCTAssertNotEqual(Array(sealed[algorithm.ivLength..<algorithm.ivLength + plain.count]), plain)
            XCTAssertEqual(sealed[0] & 0x80, 0, "phase 0")
            XCTAssertEqual(decrypt(rx, sealed), plain, algorithm.name)
        }
    }

    func testTamperedPacketsDoNotAuthenticate() throws {
        for algorithm in [CipherAlgorithm.aes256GCM, .chacha20Poly1305, .aes128GCM] {
            let tx = try FlowCipher(algorithm: algorithm, key: key), rx = try FlowCipher(algorithm: algorithm, key: key)
            var sealed = try encrypt(tx, Array("hello".utf8))
            sealed[14] ^= 1
            XCTAssertNil(decrypt(rx, sealed), algorithm.name)
            XCTAssertNil(decrypt(rx, [1, 2, 3]), "shorter than IV and tag")
        }
    }

    func testBadKeysAreRefused() {
        XCTAssertThrowsError(try FlowCipher(algorithm: .aes256GCM, key: [1, 2, 3]))
    }

    func testPhaseFlipsAfterAnEpoch() {
        var s = KeySchedule(key: key, rotationBit: 3)
        let first = s.current
        for i in 0..<8 { XCTAssertFalse(s.nextEncryption().phaseBit, "op \(i)") }
        XCTAssertTrue(s.phase)
        XCTAssertNotEqual(s.current, first)
        XCTAssertEqual(s.previous, first, "the previous key is kept")
        let next = s.nextEncryption()
        XCTAssertTrue(next.phaseBit)
        XCTAssertEqual(next.key, s.currentKey)
        for _ in 0..<3 { _ = s.nextEncryption() }
        XCTAssertNil(s.previous, "dropped after half an epoch")
    }

    func testReceiverRotatesOnThePeersPhaseOnlyLateInItsEpoch() {
        var s = KeySchedule(key: key, rotationBit: 3)
        _ = s.nextDecryption(phaseBit: true)
        XCTAssertFalse(s.phase, "a flipped bit early in the epoch is an old or forged packet")
        for _ in 0..<6 { _ = s.nextDecryption(phaseBit: false) }
        let keys = s.nextDecryption(phaseBit: true)
        XCTAssertTrue(s.phase, "age 7 >= 8 - 2: rotate")
        XCTAssertEqual(keys.count, 2, "current and previous are tried")
    }

    func testOneWayAndPingPongStayInPhaseAcrossRotations() throws {
        for algorithm in [CipherAlgorithm.aes256GCM, .chacha20Poly1305] {
            let a = FlowCipher(algorithm: algorithm, schedule: KeySchedule(key: key, rotationBit: 3))
            let b = FlowCipher(algorithm: algorithm, schedule: KeySchedule(key: key, rotationBit: 3))
            for i in 0..<100 {
                let p = [UInt8](repeating: UInt8(i), count: 20)
                XCTAssertEqual(decrypt(b, try encrypt(a, p)), p, "one way, packet \(i)")
            }
            let c = FlowCipher(algorithm: algorithm, schedule: KeySchedule(key: key, rotationBit: 3))
            let d = FlowCipher(algorithm: algorithm, schedule: KeySchedule(key: key, rotationBit: 3))
            for i in 0..<100 {
                let p = [UInt8](repeating: UInt8(i), count: 20)
                XCTAssertEqual(decrypt(d, try encrypt(c, p)), p, "ping \(i)")
                XCTAssertEqual(decrypt(c, try encrypt(d, p)), p, "pong \(i)")
            }
        }
    }

    func testALatePacketOfThePreviousPhaseStillDecrypts() throws {
        let a = FlowCipher(algorithm: .aes256GCM, schedule: KeySchedule(key: key, rotationBit: 3))
        let b = FlowCipher(algorithm: .aes256GCM, schedule: KeySchedule(key: key, rotationBit: 3))
        var packets = try (0..<9).map { try encrypt(a, [UInt8($0)]) }
        let late = packets.remove(at: 6)
        for p in packets { XCTAssertNotNil(decrypt(b, p)) }
        XCTAssertEqual(decrypt(b, late), [6])
    }
}
