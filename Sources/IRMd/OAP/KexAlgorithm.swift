/// The key-exchange algorithms enc.conf can name (spec host.md §7.6), with the
/// reference's strength ranks (§7.7). The algorithm never travels as a NID: it
/// is implied by the encoding of the public key.
enum KexAlgorithm: String, CaseIterable, Sendable {
    case ffdhe2048
    case prime256v1
    case x25519 = "X25519"
    case ffdhe3072
    case secp384r1
    case ffdhe4096
    case x448 = "X448"
    case secp521r1
    case mlkem512 = "ML-KEM-512"
    case mlkem768 = "ML-KEM-768"
    case mlkem1024 = "ML-KEM-1024"
    case x25519mlkem768 = "X25519MLKEM768"
    case x448mlkem1024 = "X448MLKEM1024"

    var name: String { rawValue }

    /// 1 (weakest) to 13, in declaration order.
    var rank: Int { KexAlgorithm.allCases.firstIndex(of: self)! + 1 }

    /// A key encapsulation mechanism rather than a Diffie-Hellman exchange.
    var isKEM: Bool { rank >= KexAlgorithm.mlkem512.rank }

    /// A hybrid KEM, whose keys and ciphertexts travel raw (the F bit).
    var isHybrid: Bool { self == .x25519mlkem768 || self == .x448mlkem1024 }

    /// Whether swift-crypto implements it. X448, the finite-field groups,
    /// ML-KEM-512 and X448MLKEM1024 are missing there: using them fails with
    /// `KeyExchangeError.unsupported`, never with a silent fallback.
    var isAvailable: Bool {
        switch self {
        case .prime256v1, .secp384r1, .secp521r1, .x25519, .mlkem768, .mlkem1024, .x25519mlkem768: true
        case .ffdhe2048, .ffdhe3072, .ffdhe4096, .x448, .mlkem512, .x448mlkem1024: false
        }
    }

    /// Raw hybrid sizes (public key, ciphertext, our private key file).
    static let x25519MLKEM768PublicKeyLength = 1216
    static let x25519MLKEM768CiphertextLength = 1120
    static let x448MLKEM1024PublicKeyLength = 1624

    /// The hybrid a raw public key or ciphertext of this length belongs to.
    static func hybrid(rawLength: Int) -> KexAlgorithm? {
        switch rawLength {
        case x25519MLKEM768PublicKeyLength, x25519MLKEM768CiphertextLength: .x25519mlkem768
        case x448MLKEM1024PublicKeyLength: .x448mlkem1024
        default: nil
        }
    }
}
