import DevKit

/// Strength ranks of spec host.md §7.7: 0 for none (NID 0), -1 for a NID the
/// tables do not know.
enum Rank {
    static func cipher(_ nid: UInt16) -> Int {
        guard nid != 0 else { return 0 }
        guard let c = CipherAlgorithm(rawValue: nid) else { return -1 }
        return cipher(c)
    }

    static func cipher(_ c: CipherAlgorithm) -> Int {
        switch c {
        case .aes128CTR: 1
        case .aes192CTR: 2
        case .aes256CTR: 3
        case .aes128GCM: 4
        case .aes192GCM: 5
        case .aes256GCM: 6
        case .chacha20Poly1305: 7
        }
    }

    static func digest(_ nid: UInt16) -> Int {
        guard nid != 0 else { return 0 }
        guard let d = DigestAlgorithm(rawValue: nid) else { return -1 }
        return digest(d)
    }

    static func digest(_ d: DigestAlgorithm?) -> Int {
        switch d {
        case nil: 0
        case .blake2s256: 1
        case .sha256: 2
        case .sha3_256: 3
        case .sha384: 4
        case .sha3_384: 5
        case .blake2b512: 6
        case .sha512: 7
        case .sha3_512: 8
        }
    }

    static func kex(_ k: KexAlgorithm?) -> Int { k?.rank ?? 0 }
}

/// Why a negotiation failed; every case is `ECRYPT` on the wire.
enum NegotiationError: Error, Equatable {
    case unknownCipher(UInt16)
    case noCipher
    case unknownKDF(UInt16)
    case clientKDFTooWeak
    case clientKEXTooWeak(KexAlgorithm)
    case serverCipherTooWeak(UInt16)
    case serverKDFTooWeak(UInt16)
    case serverSentNoCipher
}

/// The choices of spec host.md §7.7 (server) and §7.3 step 4 (client).
enum Negotiation {
    /// The server's cipher and KDF for a request proposing `cipherNID`/`kdfNID`,
    /// given the server's own configuration.
    static func server(cipherNID: UInt16, kdfNID: UInt16, clientEncapsulates: Bool,
                       config: EncConfig) throws(NegotiationError) -> (cipher: CipherAlgorithm, kdf: DigestAlgorithm?) {
        let clientCipherRank = Rank.cipher(cipherNID)
        if clientCipherRank < 0 { throw .unknownCipher(cipherNID) }
        let serverCipherRank = config.cipher.map(Rank.cipher) ?? 0
        let cipher: CipherAlgorithm
        if clientCipherRank > serverCipherRank {
            cipher = CipherAlgorithm(rawValue: cipherNID)!
        } else if serverCipherRank > 0, let c = config.cipher {
            cipher = c
        } else {
            throw .noCipher
        }
        let clientKDFRank = Rank.digest(kdfNID)
        if clientKDFRank < 0 { throw .unknownKDF(kdfNID) }
        let serverKDFRank = Rank.digest(config.kdf)
        let clientKDF = DigestAlgorithm(rawValue: kdfNID)
        if clientEncapsulates {
            if serverKDFRank > clientKDFRank { throw .clientKDFTooWeak }
            return (cipher, clientKDF)
        }
        return (cipher, clientKDFRank > serverKDFRank ? clientKDF : config.kdf)
    }

    /// The server may not accept a client key exchange weaker than its own.
    static func checkKex(client: KexAlgorithm, config: EncConfig) throws(NegotiationError) {
        if Rank.kex(client) < Rank.kex(config.kex) { throw .clientKEXTooWeak(client) }
    }

    /// What the client accepts from a response: a known cipher at least as
    /// strong as its own, and (unless it encapsulated) a KDF at least as
    /// strong, which it then adopts.
    static func client(responseCipherNID: UInt16, responseKDFNID: UInt16,
                       config: EncConfig) throws(NegotiationError) -> (cipher: CipherAlgorithm, kdf: DigestAlgorithm?) {
        guard responseCipherNID != 0 else { throw .serverSentNoCipher }
        guard let cipher = CipherAlgorithm(rawValue: responseCipherNID) else { throw .unknownCipher(responseCipherNID) }
        if Rank.cipher(cipher) < config.cipher.map(Rank.cipher) ?? 0 { throw .serverCipherTooWeak(responseCipherNID) }
        var kdf = config.kdf
        if config.kemMode != .client && responseKDFNID != 0 {
            if Rank.digest(responseKDFNID) < Rank.digest(config.kdf) { throw .serverKDFTooWeak(responseKDFNID) }
            kdf = DigestAlgorithm(rawValue: responseKDFNID)
        }
        return (cipher, kdf)
    }
}
