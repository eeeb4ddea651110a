import Crypto
import DevKit
import Foundation
import SwiftASN1

/// Why a key exchange failed; `ECRYPT` on the wire.
enum KeyExchangeError: Error, Equatable {
    /// An algorithm of the tables that swift-crypto does not implement.
    case unsupported(KexAlgorithm)
    /// A KDF digest swift-crypto does not implement.
    case unsupportedKDF(DigestAlgorithm)
    /// The peer's key names no algorithm of the tables.
    case unknownPeerKey
    /// The peer's key, ciphertext or shared secret is malformed.
    case badPeerData
    /// The peer sent no key-exchange data where it must.
    case missingPeerData
    /// A static KEM key file is missing or unreadable.
    case keyFile(String)
}

/// One side's key pair for a key exchange (spec host.md §7.3 step 4, §7.7):
/// ephemeral for DHE and server-encapsulation KEM, static (from a file) for
/// the server in client-encapsulation mode.
enum ExchangeKey {
    case p256(P256.KeyAgreement.PrivateKey)
    case p384(P384.KeyAgreement.PrivateKey)
    case p521(P521.KeyAgreement.PrivateKey)
    case x25519(Curve25519.KeyAgreement.PrivateKey)
    case mlkem768(MLKEM768.PrivateKey)
    case mlkem1024(MLKEM1024.PrivateKey)
    /// ML-KEM-768 and X25519, in the order of their raw encodings.
    case x25519mlkem768(MLKEM768.PrivateKey, Curve25519.KeyAgreement.PrivateKey)

    static let mlkem768PublicKeyLength = 1184
    static let mlkem768CiphertextLength = 1088
    /// Our raw hybrid private key file: ML-KEM seed (64) ‖ X25519 key (32).
    static let x25519MLKEM768SeedFileLength = 96

    /// A fresh key pair.
    static func generate(_ algorithm: KexAlgorithm) throws(KeyExchangeError) -> ExchangeKey {
        do {
            switch algorithm {
            case .prime256v1: return .p256(P256.KeyAgreement.PrivateKey())
            case .secp384r1: return .p384(P384.KeyAgreement.PrivateKey())
            case .secp521r1: return .p521(P521.KeyAgreement.PrivateKey())
            case .x25519: return .x25519(Curve25519.KeyAgreement.PrivateKey())
            case .mlkem768: return .mlkem768(try MLKEM768.PrivateKey())
            case .mlkem1024: return .mlkem1024(try MLKEM1024.PrivateKey())
            case .x25519mlkem768: return .x25519mlkem768(try MLKEM768.PrivateKey(), Curve25519.KeyAgreement.PrivateKey())
            case .ffdhe2048, .ffdhe3072, .ffdhe4096, .x448, .mlkem512, .x448mlkem1024: throw KeyExchangeError.unsupported(algorithm)
            }
        } catch let e as KeyExchangeError {
            throw e
        } catch {
            throw .unsupported(algorithm)
        }
    }

    var algorithm: KexAlgorithm {
        switch self {
        case .p256: .prime256v1
        case .p384: .secp384r1
        case .p521: .secp521r1
        case .x25519: .x25519
        case .mlkem768: .mlkem768
        case .mlkem1024: .mlkem1024
        case .x25519mlkem768: .x25519mlkem768
        }
    }

    /// The public key as it travels: DER SubjectPublicKeyInfo, raw for hybrids.
    var publicKey: [UInt8] {
        switch self {
        case .p256(let k): Array(k.publicKey.derRepresentation)
        case .p384(let k): Array(k.publicKey.derRepresentation)
        case .p521(let k): Array(k.publicKey.derRepresentation)
        case .x25519(let k): SubjectKeyInfo(algorithm: KeyOID.x25519, key: Array(k.publicKey.rawRepresentation)).der
        case .mlkem768(let k): SubjectKeyInfo(algorithm: KeyOID.mlkem768, key: Array(k.publicKey.rawRepresentation)).der
        case .mlkem1024(let k): SubjectKeyInfo(algorithm: KeyOID.mlkem1024, key: Array(k.publicKey.rawRepresentation)).der
        case .x25519mlkem768(let m, let x): Array(m.publicKey.rawRepresentation) + Array(x.publicKey.rawRepresentation)
        }
    }

    /// DHE: the flow key from our key and the peer's DER public key.
    func agree(peer: [UInt8], kdf: DigestAlgorithm?) throws(KeyExchangeError) -> [UInt8] {
        let secret: SharedSecret
        do {
            switch self {
            case .p256(let k): secret = try k.sharedSecretFromKeyAgreement(with: P256.KeyAgreement.PublicKey(derRepresentation: peer))
            case .p384(let k): secret = try k.sharedSecretFromKeyAgreement(with: P384.KeyAgreement.PublicKey(derRepresentation: peer))
            case .p521(let k): secret = try k.sharedSecretFromKeyAgreement(with: P521.KeyAgreement.PublicKey(derRepresentation: peer))
            case .x25519(let k):
                let info = try SubjectKeyInfo(der: peer)
                guard info.algorithm == KeyOID.x25519 else { throw KeyExchangeError.badPeerData }
                secret = try k.sharedSecretFromKeyAgreement(with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: info.key))
            case .mlkem768, .mlkem1024, .x25519mlkem768: throw KeyExchangeError.badPeerData
            }
        } catch {
            throw .badPeerData
        }
        let bytes = secret.withUnsafeBytes { Array($0) }
        guard bytes.count >= KeyDerivation.keyLength else { throw .badPeerData }
        return try ExchangeKey.derive(bytes, salt: KeyDerivation.dheSalt(publicKey, peer), info: KeyDerivation.dheInfo, kdf: kdf)
    }

    /// KEM: the flow key from a ciphertext encapsulated to our public key.
    func decapsulate(_ ciphertext: [UInt8], kdf: DigestAlgorithm?) throws(KeyExchangeError) -> [UInt8] {
        var secret: [UInt8]
        do {
            switch self {
            case .mlkem768(let k): secret = try k.decapsulate(ciphertext).withUnsafeBytes { Array($0) }
            case .mlkem1024(let k): secret = try k.decapsulate(ciphertext).withUnsafeBytes { Array($0) }
            case .x25519mlkem768(let m, let x):
                guard ciphertext.count == KexAlgorithm.x25519MLKEM768CiphertextLength else { throw KeyExchangeError.badPeerData }
                let split = ExchangeKey.mlkem768CiphertextLength
                secret = try m.decapsulate(ciphertext[..<split]).withUnsafeBytes { Array($0) }
                let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: ciphertext[split...])
                secret += try x.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
            case .p256, .p384, .p521, .x25519: throw KeyExchangeError.badPeerData
            }
        } catch {
            throw .badPeerData
        }
        return try ExchangeKey.derive(secret, salt: KeyDerivation.kemSalt(publicKey), info: KeyDerivation.encapsulationInfo, kdf: kdf)
    }

    /// KEM: a ciphertext for `publicKey` (DER, or raw for hybrids) and the flow key.
    static func encapsulate(to publicKey: [UInt8], algorithm: KexAlgorithm,
                            kdf: DigestAlgorithm?) throws(KeyExchangeError) -> (ciphertext: [UInt8], key: [UInt8]) {
        var secret: [UInt8], ciphertext: [UInt8]
        do {
            switch algorithm {
            case .mlkem768, .mlkem1024:
                let info = try SubjectKeyInfo(der: publicKey)
                let r: KEM.EncapsulationResult
                if algorithm == .mlkem768 {
                    guard info.algorithm == KeyOID.mlkem768 else { throw KeyExchangeError.badPeerData }
                    r = try MLKEM768.PublicKey(rawRepresentation: info.key).encapsulate()
                } else {
                    guard info.algorithm == KeyOID.mlkem1024 else { throw KeyExchangeError.badPeerData }
                    r = try MLKEM1024.PublicKey(rawRepresentation: info.key).encapsulate()
                }
                secret = r.sharedSecret.withUnsafeBytes { Array($0) }
                ciphertext = Array(r.encapsulated)
            case .x25519mlkem768:
                guard publicKey.count == KexAlgorithm.x25519MLKEM768PublicKeyLength else { throw KeyExchangeError.badPeerData }
                let split = mlkem768PublicKeyLength
                let r = try MLKEM768.PublicKey(rawRepresentation: publicKey[..<split]).encapsulate()
                let ephemeral = Curve25519.KeyAgreement.PrivateKey()
                let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey[split...])
                secret = r.sharedSecret.withUnsafeBytes { Array($0) }
                    + (try ephemeral.sharedSecretFromKeyAgreement(with: peer)).withUnsafeBytes { Array($0) }
                ciphertext = Array(r.encapsulated) + Array(ephemeral.publicKey.rawRepresentation)
            case .mlkem512, .x448mlkem1024:
                throw KeyExchangeError.unsupported(algorithm)
            case .prime256v1, .secp384r1, .secp521r1, .x25519, .x448, .ffdhe2048, .ffdhe3072, .ffdhe4096:
                throw KeyExchangeError.badPeerData
            }
        } catch let e as KeyExchangeError {
            throw e
        } catch {
            throw .badPeerData
        }
        let key = try derive(secret, salt: KeyDerivation.kemSalt(publicKey), info: KeyDerivation.encapsulationInfo, kdf: kdf)
        return (ciphertext, key)
    }

    /// The algorithm of a peer's public key (spec host.md §7.7 step 3): by
    /// length for raw hybrids, by key type and group for DER.
    static func algorithm(ofPeerKey key: [UInt8], raw: Bool) throws(KeyExchangeError) -> KexAlgorithm {
        if raw {
            guard let a = KexAlgorithm.hybrid(rawLength: key.count) else { throw .unknownPeerKey }
            return a
        }
        guard let info = try? SubjectKeyInfo(der: key) else { throw .unknownPeerKey }
        switch (info.algorithm, info.parameter) {
        case (KeyOID.ecPublicKey, KeyOID.prime256v1?): return .prime256v1
        case (KeyOID.ecPublicKey, KeyOID.secp384r1?): return .secp384r1
        case (KeyOID.ecPublicKey, KeyOID.secp521r1?): return .secp521r1
        case (KeyOID.x25519, _): return .x25519
        case (KeyOID.x448, _): return .x448
        case (KeyOID.mlkem512, _): return .mlkem512
        case (KeyOID.mlkem768, _): return .mlkem768
        case (KeyOID.mlkem1024, _): return .mlkem1024
        case (KeyOID.dhKeyAgreement, _), (KeyOID.dhPublicNumber, _):
            // The public value is a DER INTEGER about as long as the group's prime.
            switch info.key.count {
            case ..<300: return .ffdhe2048
            case ..<450: return .ffdhe3072
            default: return .ffdhe4096
            }
        default: throw .unknownPeerKey
        }
    }

    // MARK: static keys for client-encapsulation mode

    /// A server's static KEM private key: PEM PKCS#8 (ML-KEM, seed form) or our
    /// raw hybrid file (ML-KEM seed ‖ X25519 private key).
    static func loadPrivate(path: String, raw: Bool) throws(KeyExchangeError) -> ExchangeKey {
        guard let bytes = readFile(path) else { throw .keyFile(path) }
        do {
            if raw {
                guard bytes.count == x25519MLKEM768SeedFileLength else { throw KeyExchangeError.keyFile(path) }
                return .x25519mlkem768(try MLKEM768.PrivateKey(seedRepresentation: bytes[..<64], publicKey: nil),
                                       try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes[64...]))
            }
            let (label, der) = try PEM.decode(String(decoding: bytes, as: UTF8.self))
            let info = try PrivateKeyInfo(der: der)
            guard label == "PRIVATE KEY", let seed = info.latticeSeed else { throw KeyExchangeError.keyFile(path) }
            switch info.algorithm {
            case KeyOID.mlkem768: return .mlkem768(try MLKEM768.PrivateKey(seedRepresentation: seed, publicKey: nil))
            case KeyOID.mlkem1024: return .mlkem1024(try MLKEM1024.PrivateKey(seedRepresentation: seed, publicKey: nil))
            default: throw KeyExchangeError.keyFile(path)
            }
        } catch {
            throw .keyFile(path)
        }
    }

    /// A client's cached server public key: PEM SubjectPublicKeyInfo as DER,
    /// or the raw hybrid bytes.
    static func loadPublic(path: String, raw: Bool) throws(KeyExchangeError) -> [UInt8] {
        guard let bytes = readFile(path) else { throw .keyFile(path) }
        if raw {
            guard KexAlgorithm.hybrid(rawLength: bytes.count) != nil else { throw .keyFile(path) }
            return bytes
        }
        guard let (label, der) = try? PEM.decode(String(decoding: bytes, as: UTF8.self)), label == "PUBLIC KEY" else {
            throw .keyFile(path)
        }
        return der
    }

    private static func derive(_ secret: [UInt8], salt: [UInt8], info: [UInt8],
                               kdf: DigestAlgorithm?) throws(KeyExchangeError) -> [UInt8] {
        guard let key = KeyDerivation.hkdf(secret: secret, salt: salt, info: info, digest: kdf) else {
            throw .unsupportedKDF(kdf ?? .sha256)
        }
        return key
    }
}
