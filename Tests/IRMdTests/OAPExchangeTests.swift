import CryptoTestSupport
import DevKit
import Foundation
import XCTest
@testable import IRMd

/// Complete OAP exchanges between a client and a server irmd (spec host.md
/// §7.3–§7.8), each with its own security directory.
final class OAPExchangeTests: XCTestCase {
    let flowName = "srv.test"
    var clientDir = "", serverDir = ""

    override func setUpWithError() throws {
        let base = NSTemporaryDirectory() + "ouro-oap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        clientDir = base + "/client-host"
        serverDir = base + "/server-host"
        for d in [clientDir, serverDir] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: clientDir).deletingLastPathComponent().path)
    }

    func paths(_ dir: String) -> NameEntry {
        var e = NameEntry(name: flowName, policy: .roundRobin)
        e.applyDefaultPaths(securityDirectory: dir)
        return e
    }

    func oap(_ dir: String) throws -> OAP { OAP(securityDirectory: dir, trust: try TrustStore(securityDirectory: dir)) }

    /// Runs one allocation: the client's and the server's flow keys, and the response.
    func exchange() throws -> (client: FlowKey?, server: FlowKey?, request: OAPHeader, response: OAPHeader) {
        let c = try oap(clientDir), s = try oap(serverDir)
        let state = try c.request(name: flowName, client: paths(clientDir).client)
        let (rsp, serverKey) = try s.respond(to: state.request, name: flowName, server: paths(serverDir).server)
        let clientKey = try c.complete(state, response: rsp)
        return (clientKey, serverKey, try OAPHeader(parsing: state.request),
                try OAPHeader(parsing: rsp, requestHashLength: state.requestDigest.length))
    }

    func configure(_ text: String) throws {
        try writeEncConf(text, security: clientDir, side: "client", name: flowName)
        try writeEncConf(text, security: serverDir, side: "server", name: flowName)
    }

    func testEveryAvailableKeyExchangeWithServerEncapsulation() throws {
        let expected: [(String, Int, Bool)] = [
            ("prime256v1", 91, false), ("secp384r1", 120, false), ("secp521r1", 158, false), ("X25519", 44, false),
            ("ML-KEM-768", 1206, false), ("ML-KEM-1024", 1590, false), ("X25519MLKEM768", 1216, true),
        ]
        for (kex, requestKexLength, raw) in expected {
            try configure("kex = \(kex)\ncipher = chacha20-poly1305\nkdf = sha3-256\n")
            let r = try exchange()
            XCTAssertNotNil(r.client, kex)
            XCTAssertEqual(r.client, r.server, "both ends hold the same key: \(kex)")
            XCTAssertEqual(r.client?.cipher, .chacha20Poly1305)
            XCTAssertEqual(r.request.kex.count, requestKexLength, kex)
            XCTAssertEqual(r.request.kexRaw, raw, kex)
            XCTAssertFalse(r.request.kexClientEncapsulates)
            XCTAssertEqual(r.response.kexRaw, raw, kex)
            XCTAssertEqual(r.response.kdfNID, DigestAlgorithm.sha3_256.rawValue)
        }
    }

    func testClientEncapsulationToACachedServerKey() throws {
        for algorithm in [StaticKEMKeys.Algorithm.mlkem768, .mlkem1024, .x25519mlkem768] {
            try StaticKEMKeys.install(algorithm, server: serverDir, client: clientDir, name: flowName)
            try configure("kex = \(algorithm.rawValue)\nkem_mode = client\n")
            let r = try exchange()
            XCTAssertNotNil(r.client, algorithm.rawValue)
            XCTAssertEqual(r.client, r.server, algorithm.rawValue)
            XCTAssertTrue(r.request.kexClientEncapsulates)
            XCTAssertEqual(r.request.kexRaw, algorithm == .x25519mlkem768)
            XCTAssertEqual(r.response.kex, [], "the server sends no key material")
        }
    }

    func testAlgorithmsSwiftCryptoLacksFailWithENOTSUP() throws {
        for kex in ["X448", "ffdhe2048", "ML-KEM-512", "X448MLKEM1024"] {
            try configure("kex = \(kex)\n")
            XCTAssertThrowsError(try oap(clientDir).request(name: flowName, client: paths(clientDir).client), kex) {
                XCTAssertEqual(($0 as? OAPError)?.preparationResult, .notSupported, kex)
                XCTAssertTrue("\($0)".contains(kex), "the log line names \(kex)")
            }
        }
        try configure("kex = X25519\nkdf = blake2s256\n")
        XCTAssertThrowsError(try oap(clientDir).request(name: flowName, client: paths(clientDir).client)) {
            XCTAssertEqual(($0 as? OAPError)?.preparationResult, .notSupported)
        }
    }

    func testServerRefusesAnX448Key() throws {
        var h = OAPHeader(id: [UInt8](repeating: 1, count: 16), timestamp: OAP.realtime)
        h.cipherNID = CipherAlgorithm.aes256GCM.rawValue
        h.kex = SubjectKeyInfo(algorithm: KeyOID.x448, key: [UInt8](repeating: 5, count: 56)).der
        XCTAssertThrowsError(try oap(serverDir).respond(to: h.serialize(), name: flowName, server: paths(serverDir).server)) {
            XCTAssertEqual($0 as? OAPError, .keyExchange(.unsupported(.x448)))
            XCTAssertEqual(($0 as? OAPError)?.serverResult, .crypt)
        }
    }

    func testNegotiationOutcomes() throws {
        try writeEncConf("kex = X25519\ncipher = aes-128-gcm\n", security: clientDir, side: "client", name: flowName)
        try writeEncConf("kex = X25519\ncipher = aes-256-gcm\nkdf = sha512\n", security: serverDir, side: "server", name: flowName)
        var r = try exchange()
        XCTAssertEqual(r.client?.cipher, .aes256GCM, "the stronger server cipher")
        XCTAssertEqual(r.response.kdfNID, DigestAlgorithm.sha512.rawValue)
        XCTAssertEqual(r.client, r.server)

        try FileManager.default.removeItem(atPath: serverDir + "/server/\(flowName)/enc.conf")
        r = try exchange()
        XCTAssertEqual(r.server?.cipher, .aes128GCM, "a server without enc.conf takes the client's proposal")

        try writeEncConf("kex = secp384r1\n", security: serverDir, side: "server", name: flowName)
        XCTAssertThrowsError(try exchange(), "X25519 ranks below secp384r1") {
            XCTAssertEqual($0 as? OAPError, .negotiation(.clientKEXTooWeak(.x25519)))
            XCTAssertEqual(($0 as? OAPError)?.serverResult, .crypt)
        }

        try FileManager.default.removeItem(atPath: clientDir + "/client/\(flowName)/enc.conf")
        XCTAssertThrowsError(try exchange(), "the server demands encryption") {
            XCTAssertEqual($0 as? OAPError, .kexWithoutData)
        }

        try writeEncConf("none\n", security: serverDir, side: "server", name: flowName)
        r = try exchange()
        XCTAssertNil(r.client)
        XCTAssertNil(r.server)
        XCTAssertEqual(r.response.cipherNID, 0)
    }

    // MARK: authentication

    func makePKI() throws -> TestPKI {
        guard TestPKI.isAvailable else { throw XCTSkip("needs the openssl CLI") }
        let pki = try TestPKI()
        try pki.install(into: clientDir)
        try pki.install(into: serverDir)
        return pki
    }

    func testAuthenticatedEncryptedExchangeThroughAnIntermediate() throws {
        let pki = try makePKI()
        try pki.leaf("server", cn: flowName, key: .ecdsa(curve: "secp384r1"))
        try pki.leaf("client", cn: "client.a")
        try pki.install(leaf: "server", into: serverDir, side: "server", name: flowName)
        try pki.install(leaf: "client", into: clientDir, side: "client", name: flowName)
        try configure("kex = secp384r1\ncipher = chacha20-poly1305\nkdf = sha384\ndigest = sha384\n")
        let r = try exchange()
        XCTAssertEqual(r.client, r.server)
        XCTAssertFalse(r.request.certificate.isEmpty)
        XCTAssertFalse(r.request.signature.isEmpty)
        XCTAssertEqual(r.request.mdNID, DigestAlgorithm.sha384.rawValue)
        XCTAssertEqual(r.response.requestHash?.count, 48)
    }

    func testEd25519AndP521CertificatesSign() throws {
        let pki = try makePKI()
        try pki.leaf("server", cn: flowName, key: .ed25519)
        try pki.leaf("client", cn: "client.b", key: .ecdsa(curve: "secp521r1"))
        try pki.install(leaf: "server", into: serverDir, side: "server", name: flowName)
        try pki.install(leaf: "client", into: clientDir, side: "client", name: flowName)
        try configure("kex = X25519\ndigest = sha3-512\n")
        let r = try exchange()
        XCTAssertEqual(r.client, r.server)
    }

    func testUntrustedClientCertificateIsRejected() throws {
        let pki = try makePKI()
        try pki.leaf("client", cn: "client.a", rogue: true)
        try pki.install(leaf: "client", into: clientDir, side: "client", name: flowName)
        XCTAssertThrowsError(try exchange()) {
            XCTAssertEqual($0 as? OAPError, .trust(.untrusted))
            XCTAssertEqual(($0 as? OAPError)?.serverResult, .auth)
        }
    }

    func testServerCertificateForAnotherNameIsRejectedByTheClient() throws {
        let pki = try makePKI()
        try pki.leaf("server", cn: "other.flowName")
        try pki.install(leaf: "server", into: serverDir, side: "server", name: flowName)
        XCTAssertThrowsError(try exchange()) {
            XCTAssertEqual($0 as? OAPError, .nameMismatch(expected: flowName, found: "other.flowName"))
        }
    }

    func testTamperedSignedRequestIsRejected() throws {
        let pki = try makePKI()
        try pki.leaf("client", cn: "client.a")
        try pki.install(leaf: "client", into: clientDir, side: "client", name: flowName)
        let state = try oap(clientDir).request(name: flowName, client: paths(clientDir).client)
        var bytes = state.request
        bytes[26] = 0x02
        bytes[27] = 0xa2
        XCTAssertThrowsError(try oap(serverDir).respond(to: bytes, name: flowName, server: paths(serverDir).server)) {
            XCTAssertEqual($0 as? OAPError, .badSignature)
        }
    }

    func testStoreRefusesUnparsableEntries() throws {
        try FileManager.default.createDirectory(atPath: serverDir + "/cacert", withIntermediateDirectories: true)
        try "not a certificate".write(toFile: serverDir + "/cacert/junk.pem", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrustStore(securityDirectory: serverDir))
        try FileManager.default.removeItem(atPath: serverDir + "/cacert/junk.pem")
        try FileManager.default.createDirectory(atPath: serverDir + "/cacert/subdir", withIntermediateDirectories: true)
        XCTAssertThrowsError(try TrustStore(securityDirectory: serverDir), "a non-regular entry")
        XCTAssertNoThrow(try TrustStore(securityDirectory: clientDir), "missing directories are fine")
    }
}
