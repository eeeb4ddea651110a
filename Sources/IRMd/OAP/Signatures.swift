import Crypto
import DevKit
import Foundation
import SwiftASN1

/// Why a credential or signature operation failed; `EAUTH` on the wire.
enum SignatureError: Error, Equatable {
    /// A key file that is not a PEM private key of a supported type.
    case unreadableKey(String)
    /// A key type OAP cannot use (RSA, ML-DSA-44, SLH-DSA, ...).
    case unsupportedKeyType(String)
    /// A digest swift-crypto lacks (BLAKE2) for a classical signature.
    case unsupportedDigest(DigestAlgorithm)
    case signingFailed
}

/// A private key that signs OAP headers (spec host.md §7.4): ECDSA with the
/// configured digest (SHA-256 when none), Ed25519 and ML-DSA without a
/// separate digest.
enum SigningKey {
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case p521(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)
    case mldsa65(MLDSA65.PrivateKey)
    case mldsa87(MLDSA87.PrivateKey)

    /// Loads a PEM private key: SEC1 or PKCS#8 EC keys, PKCS#8 Ed25519, and
    /// PKCS#8 ML-DSA-65/87 in a form that carries the seed.
    init(pem: String) throws(SignatureError) {
        if let k = try? P256.Signing.PrivateKey(pemRepresentation: pem) { self = .p256(k); return }
        if let k = try? P384.Signing.PrivateKey(pemRepresentation: pem) { self = .p384(k); return }
        if let k = try? P521.Signing.PrivateKey(pemRepresentation: pem) { self = .p521(k); return }
        guard let (label, der) = try? PEM.decode(pem), label == "PRIVATE KEY",
              let info = try? PrivateKeyInfo(der: der) else { throw .unreadableKey("not a PEM private key") }
        switch info.algorithm {
        case KeyOID.ed25519:
            guard let raw = info.curvePrivateKey, let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                throw .unreadableKey("bad Ed25519 key")
            }
            self = .ed25519(k)
        case KeyOID.mldsa65:
            guard let seed = info.latticeSeed, let k = try? MLDSA65.PrivateKey(seedRepresentation: seed, publicKey: nil) else {
                throw .unreadableKey("ML-DSA-65 key without seed")
            }
            self = .mldsa65(k)
        case KeyOID.mldsa87:
            guard let seed = info.latticeSeed, let k = try? MLDSA87.PrivateKey(seedRepresentation: seed, publicKey: nil) else {
                throw .unreadableKey("ML-DSA-87 key without seed")
            }
            self = .mldsa87(k)
        default:
            throw .unsupportedKeyType("\(info.algorithm)")
        }
    }

    var publicKey: VerifyingKey {
        switch self {
        case .p256(let k): .p256(k.publicKey)
        case .p384(let k): .p384(k.publicKey)
        case .p521(let k): .p521(k.publicKey)
        case .ed25519(let k): .ed25519(k.publicKey)
        case .mldsa65(let k): .mldsa65(k.publicKey)
        case .mldsa87(let k): .mldsa87(k.publicKey)
        }
    }

    /// The signature of `data`; `digest` is the header's md_nid (nil: the key
    /// type's default).
    func sign(_ data: [UInt8], digest: DigestAlgorithm?) throws(SignatureError) -> [UInt8] {
        do {
            switch self {
            case .p256(let k): return Array(try k.signature(for: try ecdsaDigest(data, digest)).derRepresentation)
            case .p384(let k): return Array(try k.signature(for: try ecdsaDigest(data, digest)).derRepresentation)
            case .p521(let k): return Array(try k.signature(for: try ecdsaDigest(data, digest)).derRepresentation)
            case .ed25519(let k): return Array(try k.signature(for: data))
            case .mldsa65(let k): return Array(try k.signature(for: data))
            case .mldsa87(let k): return Array(try k.signature(for: data))
            }
        } catch let e as SignatureError {
            throw e
        } catch {
            throw .signingFailed
        }
    }
}

/// A public key that checks OAP header signatures.
enum VerifyingKey {
    case p256(P256.Signing.PublicKey)
    case p384(P384.Signing.PublicKey)
    case p521(P521.Signing.PublicKey)
    case ed25519(Curve25519.Signing.PublicKey)
    case mldsa65(MLDSA65.PublicKey)
    case mldsa87(MLDSA87.PublicKey)

    /// The key of a DER SubjectPublicKeyInfo.
    init(spki der: [UInt8]) throws(SignatureError) {
        guard let info = try? SubjectKeyInfo(der: der) else { throw .unreadableKey("bad SubjectPublicKeyInfo") }
        do {
            switch (info.algorithm, info.parameter) {
            case (KeyOID.ecPublicKey, KeyOID.prime256v1?): self = .p256(try P256.Signing.PublicKey(x963Representation: info.key))
            case (KeyOID.ecPublicKey, KeyOID.secp384r1?): self = .p384(try P384.Signing.PublicKey(x963Representation: info.key))
            case (KeyOID.ecPublicKey, KeyOID.secp521r1?): self = .p521(try P521.Signing.PublicKey(x963Representation: info.key))
            case (KeyOID.ed25519, _): self = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: info.key))
            case (KeyOID.mldsa65, _): self = .mldsa65(try MLDSA65.PublicKey(rawRepresentation: info.key))
            case (KeyOID.mldsa87, _): self = .mldsa87(try MLDSA87.PublicKey(rawRepresentation: info.key))
            default: throw SignatureError.unsupportedKeyType("\(info.algorithm)")
            }
        } catch let e as SignatureError {
            throw e
        } catch {
            throw .unreadableKey("bad public key")
        }
    }

    /// The DER SubjectPublicKeyInfo.
    var spki: [UInt8] {
        switch self {
        case .p256(let k): Array(k.derRepresentation)
        case .p384(let k): Array(k.derRepresentation)
        case .p521(let k): Array(k.derRepresentation)
        case .ed25519(let k): SubjectKeyInfo(algorithm: KeyOID.ed25519, key: Array(k.rawRepresentation)).der
        case .mldsa65(let k): SubjectKeyInfo(algorithm: KeyOID.mldsa65, key: Array(k.rawRepresentation)).der
        case .mldsa87(let k): SubjectKeyInfo(algorithm: KeyOID.mldsa87, key: Array(k.rawRepresentation)).der
        }
    }

    /// Whether `signature` signs `data` under the header's md_nid `digest`.
    func isValid(signature: [UInt8], for data: [UInt8], digest: DigestAlgorithm?) -> Bool {
        switch self {
        case .p256(let k):
            guard let s = try? P256.Signing.ECDSASignature(derRepresentation: signature),
                  let d = try? ecdsaDigest(data, digest) else { return false }
            return k.isValidSignature(s, for: d)
        case .p384(let k):
            guard let s = try? P384.Signing.ECDSASignature(derRepresentation: signature),
                  let d = try? ecdsaDigest(data, digest) else { return false }
            return k.isValidSignature(s, for: d)
        case .p521(let k):
            guard let s = try? P521.Signing.ECDSASignature(derRepresentation: signature),
                  let d = try? ecdsaDigest(data, digest) else { return false }
            return k.isValidSignature(s, for: d)
        case .ed25519(let k): return k.isValidSignature(signature, for: data)
        case .mldsa65(let k): return k.isValidSignature(signature, for: data)
        case .mldsa87(let k): return k.isValidSignature(signature, for: data)
        }
    }
}

/// The digest an ECDSA signature covers: md_nid's algorithm, SHA-256 when 0.
private func ecdsaDigest(_ data: [UInt8], _ algorithm: DigestAlgorithm?) throws(SignatureError) -> any Digest {
    switch algorithm ?? .sha256 {
    case .sha256: return SHA256.hash(data: data)
    case .sha384: return SHA384.hash(data: data)
    case .sha512: return Crypto.SHA512.hash(data: data)
    case .sha3_256: return SHA3_256.hash(data: data)
    case .sha3_384: return SHA3_384.hash(data: data)
    case .sha3_512: return SHA3_512.hash(data: data)
    case let d: throw .unsupportedDigest(d)
    }
}
