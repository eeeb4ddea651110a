import DevKit
import Foundation
import X509
import XCTest
@testable import IRMd

/// The reference's own OAP exchanges and encrypted packets (Fixtures/oap.txt,
/// a copy of the shared vectors): our decoder, signature check, certificate
/// check and packet decryption must all accept them.
final class CapturedVectorTests: XCTestCase {
    /// Block title → bytes.
    static let blocks: [String: [UInt8]] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/oap.txt")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var out: [String: [UInt8]] = [:]
        var title = "", hex = "", inHex = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                title = String(line.dropFirst(3))
                hex = ""
            } else if line == "hex:" {
                inHex = true
            } else if inHex && (line.hasPrefix("fields:") || line.isEmpty) {
                inHex = false
                out[title] = OAPTests.bytes(hex)
            } else if inHex {
                hex += line
            }
        }
        return out
    }()

    func block(_ title: String) throws -> [UInt8] {
        try XCTUnwrap(Self.blocks[title], "missing block \(title)")
    }

    func flowKey(_ prefix: String) throws -> FlowCipher {
        let reply = try irm_msg(serializedBytes: try block("\(prefix): IRM_REPLY to the client's IRM_FLOW_ALLOC (key delivery)"))
        let algorithm = try XCTUnwrap(CipherAlgorithm(rawValue: UInt16(reply.cipherNid)))
        return try FlowCipher(algorithm: algorithm, key: [UInt8](reply.symKey))
    }

    func testCapturedPacketsDecryptWithTheDeliveredKey() throws {
        for prefix in ["enc", "auth"] {
            for direction in ["A->B (ping request #0)", "B->A (ping reply #0)"] {
                let cipher = try flowKey(prefix)
                let datagram = try block("\(prefix): first data packet \(direction) (encrypted)")
                let plain = try block("\(prefix): first data packet \(direction), decrypted SDU")
                let sdu = Array(datagram.dropFirst(4))
                XCTAssertEqual(sdu.withUnsafeBytes { cipher.decrypt($0) }, plain, "\(prefix) \(direction)")
                var tampered = sdu
                tampered[20] ^= 0x10
                XCTAssertNil(tampered.withUnsafeBytes { try? flowKey(prefix).decrypt($0) }, "tampered \(prefix)")
            }
        }
    }

    func testCapturedSignaturesVerifyOverEverythingBeforeThem() throws {
        let request = try block("auth: OAP request (ECDSA P-256 certificates both sides + secp384r1 + chacha20-poly1305, sha384)")
        let response = try block("auth: OAP response (ECDSA P-256 certificates both sides + secp384r1 + chacha20-poly1305, sha384)")
        let req = try OAPHeader(parsing: request)
        let rsp = try OAPHeader(parsing: response, requestHashLength: 48)
        XCTAssertEqual(req.signature.count, 72)
        XCTAssertEqual(rsp.requestHash, DigestAlgorithm.sha384.hash(request))
        for (h, bytes) in [(req, request), (rsp, response)] {
            let key = try XCTUnwrap(VerifyingKey(try Certificate(derEncoded: h.certificate).publicKey))
            let signed = Array(bytes.prefix(bytes.count - h.signature.count))
            XCTAssertTrue(key.isValid(signature: h.signature, for: signed, digest: DigestAlgorithm(rawValue: h.mdNID)))
            XCTAssertFalse(key.isValid(signature: h.signature, for: Array(signed.dropLast()), digest: .sha384))
        }
        XCTAssertEqual(try ExchangeKey.algorithm(ofPeerKey: req.kex, raw: false), .secp384r1)
        let enc = try OAPHeader(parsing: try block("enc: OAP request (X25519 + aes-256-gcm, no certificates)"))
        XCTAssertEqual(try ExchangeKey.algorithm(ofPeerKey: enc.kex, raw: false), .x25519)
    }

    func testCapturedCertificatesChainToTheCapturedCA() throws {
        let ca = try Certificate(derEncoded: try block("auth: trust anchor (CA certificate, DER) installed in both nodes' security/cacert/"))
        let store = TrustStore(roots: [ca])
        let req = try OAPHeader(parsing: try block("auth: OAP request (ECDSA P-256 certificates both sides + secp384r1 + chacha20-poly1305, sha384)"))
        let rsp = try OAPHeader(parsing: try block("auth: OAP response (ECDSA P-256 certificates both sides + secp384r1 + chacha20-poly1305, sha384)"),
                                requestHashLength: 48)
        XCTAssertEqual(try store.verify(der: req.certificate).commonName, "client.a")
        XCTAssertEqual(try store.verify(der: rsp.certificate).commonName, "oping.auth")
        XCTAssertThrowsError(try TrustStore().verify(der: rsp.certificate)) {
            XCTAssertEqual($0 as? TrustError, .untrusted)
        }
    }

    func testCapturedEncryptedExchangeHashesWithTheRequestDigest() throws {
        let request = try block("enc: OAP request (X25519 + aes-256-gcm, no certificates)")
        let rsp = try OAPHeader(parsing: try block("enc: OAP response (X25519 + aes-256-gcm, no certificates)"), requestHashLength: 32)
        XCTAssertEqual(rsp.requestHash, DigestAlgorithm.sha256.hash(request))
        XCTAssertEqual(rsp.cipherNID, CipherAlgorithm.aes256GCM.rawValue)
    }
}
