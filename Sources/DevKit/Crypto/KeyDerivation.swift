import Crypto
import Foundation

/// The digests OAP names by OpenSSL NID (spec host.md §7.9): for HKDF, the
/// request hash and signatures. BLAKE2 is in the tables of the reference but
/// not in swift-crypto: it parses, ranks, and fails when used.
public enum DigestAlgorithm: UInt16, Sendable, CaseIterable {
    case sha256 = 672
    case sha384 = 673
    case sha512 = 674
    case sha3_256 = 1096
    case sha3_384 = 1097
    case sha3_512 = 1098
    case blake2b512 = 1056
    case blake2s256 = 1057

    /// The name used in enc.conf.
    public var name: String {
        switch self {
        case .sha256: "sha256"
        case .sha384: "sha384"
        case .sha512: "sha512"
        case .sha3_256: "sha3-256"
        case .sha3_384: "sha3-384"
        case .sha3_512: "sha3-512"
        case .blake2b512: "blake2b512"
        case .blake2s256: "blake2s256"
        }
    }

    public init?(name: String) {
        guard let d = DigestAlgorithm.allCases.first(where: { $0.name == name }) else { return nil }
        self = d
    }

    /// Output length in bytes.
    public var length: Int {
        switch self {
        case .sha256, .sha3_256, .blake2s256: 32
        case .sha384, .sha3_384: 48
        case .sha512, .sha3_512, .blake2b512: 64
        }
    }

    /// Whether swift-crypto implements it.
    public var isAvailable: Bool { self != .blake2b512 && self != .blake2s256 }

    /// The digest of `data`; nil for an algorithm swift-crypto lacks.
    public func hash<D: DataProtocol>(_ data: D) -> [UInt8]? {
        switch self {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(Crypto.SHA512.hash(data: data))
        case .sha3_256: Array(SHA3_256.hash(data: data))
        case .sha3_384: Array(SHA3_384.hash(data: data))
        case .sha3_512: Array(SHA3_512.hash(data: data))
        case .blake2b512, .blake2s256: nil
        }
    }
}

/// HKDF (RFC 5869) as OAP and the per-flow key rotation use it (spec host.md §7.8).
public enum KeyDerivation {
    /// Length of every derived key.
    public static let keyLength = 32
    public static let dheInfo = Array("o7s-ossl-dhe".utf8)
    public static let encapsulationInfo = Array("o7s-ossl-encap".utf8)
    public static let rotationInfo = Array("o7s-key-rotation".utf8)

    /// A 32-byte key from `secret` with the negotiated KDF digest `kdf`
    /// (nil: SHA-256, as the reference falls back for 0 or unknown NIDs).
    /// Nil when the digest is one swift-crypto lacks.
    public static func hkdf(secret: [UInt8], salt: [UInt8], info: [UInt8], digest kdf: DigestAlgorithm?) -> [UInt8]? {
        let ikm = SymmetricKey(data: secret)
        func derive<H: HashFunction>(_: H.Type) -> [UInt8] {
            HKDF<H>.deriveKey(inputKeyMaterial: ikm, salt: salt, info: info, outputByteCount: keyLength)
                .withUnsafeBytes { Array($0) }
        }
        switch kdf ?? .sha256 {
        case .sha256: return derive(SHA256.self)
        case .sha384: return derive(SHA384.self)
        case .sha512: return derive(Crypto.SHA512.self)
        case .sha3_256: return derive(SHA3_256.self)
        case .sha3_384: return derive(SHA3_384.self)
        case .sha3_512: return derive(SHA3_512.self)
        case .blake2b512, .blake2s256: return nil
        }
    }

    /// The salt of a DHE derivation: SHA-256 over both DER public keys, the
    /// one that sorts first (memcmp over the shorter length, then shorter
    /// first) in front.
    public static func dheSalt(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let n = min(a.count, b.count)
        var aFirst = a.count < b.count
        for i in 0..<n where a[i] != b[i] {
            aFirst = a[i] < b[i]
            break
        }
        return Array(SHA256.hash(data: aFirst ? a + b : b + a))
    }

    /// The salt of a KEM derivation: SHA-256 of the recipient's public key bytes.
    public static func kemSalt(_ recipientPublicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: recipientPublicKey))
    }
}
