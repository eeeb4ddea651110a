import Crypto
import Foundation
import SwiftASN1

/// A server's static KEM key pair for `kem_mode = client` (spec host.md §7.5),
/// written as irmd reads it: `server/<name>/kex.key.pem|raw` and the client's
/// cached copy of the public key `client/<name>/kex.srv.pub.pem|raw`.
/// PEM keys are PKCS#8 in the seed form and SubjectPublicKeyInfo; raw hybrid
/// X25519MLKEM768 files are `ML-KEM seed ‖ X25519 key` (private) and
/// `ML-KEM key ‖ X25519 key` (public).
public enum StaticKEMKeys {
    public enum Algorithm: String { case mlkem768 = "ML-KEM-768", mlkem1024 = "ML-KEM-1024", x25519mlkem768 = "X25519MLKEM768" }

    /// Writes the server's key pair into security directory `server` and the
    /// public key into `client` (which may be the same directory).
    public static func install(_ algorithm: Algorithm, server serverSecurity: String, client clientSecurity: String,
                               name: String) throws {
        let server = "\(serverSecurity)/server/\(name)", client = "\(clientSecurity)/client/\(name)"
        for d in [server, client] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        switch algorithm {
        case .mlkem768, .mlkem1024:
            let oid: ASN1ObjectIdentifier = algorithm == .mlkem768 ? [2, 16, 840, 1, 101, 3, 4, 4, 2] : [2, 16, 840, 1, 101, 3, 4, 4, 3]
            let (seed, pub): (Data, Data)
            if algorithm == .mlkem768 {
                let k = try MLKEM768.PrivateKey()
                (seed, pub) = (k.seedRepresentation, k.publicKey.rawRepresentation)
            } else {
                let k = try MLKEM1024.PrivateKey()
                (seed, pub) = (k.seedRepresentation, k.publicKey.rawRepresentation)
            }
            try pem(pkcs8(oid: oid, seed: Array(seed)), "PRIVATE KEY").write(toFile: server + "/kex.key.pem", atomically: true, encoding: .utf8)
            try pem(spki(oid: oid, key: Array(pub)), "PUBLIC KEY").write(toFile: client + "/kex.srv.pub.pem", atomically: true, encoding: .utf8)
        case .x25519mlkem768:
            let m = try MLKEM768.PrivateKey(), x = Curve25519.KeyAgreement.PrivateKey()
            try (m.seedRepresentation + x.rawRepresentation).write(to: URL(fileURLWithPath: server + "/kex.key.raw"))
            try (m.publicKey.rawRepresentation + x.publicKey.rawRepresentation).write(to: URL(fileURLWithPath: client + "/kex.srv.pub.raw"))
        }
    }

    /// A PEM PKCS#8 private key holding `seed` in the `[0]` seed form, for the
    /// lattice algorithm with object identifier `oid` (ML-KEM, ML-DSA).
    public static func seedPEM(oid: [UInt], seed: [UInt8]) throws -> String {
        pem(try pkcs8(oid: try ASN1ObjectIdentifier(elements: oid), seed: seed), "PRIVATE KEY")
    }

    static func pem(_ der: [UInt8], _ label: String) -> String { PEMDocument(type: label, derBytes: der).pemString + "\n" }

    static func pkcs8(oid: ASN1ObjectIdentifier, seed: [UInt8]) throws -> [UInt8] {
        var inner = DER.Serializer()
        inner.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { $0 += seed }
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(0)
            try s.appendConstructedNode(identifier: .sequence) { s in try s.serialize(oid) }
            try s.serialize(ASN1OctetString(contentBytes: inner.serializedBytes[...]))
        }
        return s.serializedBytes
    }

    static func spki(oid: ASN1ObjectIdentifier, key: [UInt8]) throws -> [UInt8] {
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { s in
            try s.appendConstructedNode(identifier: .sequence) { s in try s.serialize(oid) }
            try s.serialize(ASN1BitString(bytes: key[...]))
        }
        return s.serializedBytes
    }
}
