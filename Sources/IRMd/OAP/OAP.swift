#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization
import X509

/// Why an OAP step failed. Each case knows the code the reference reports
/// (spec host.md §7.3, §7.4): the server answers `EAUTH` for credential,
/// decoding, freshness, authentication and encoding failures and `ECRYPT` for
/// enc.conf and key-exchange failures; the client's completion always fails
/// with `ECRYPT`.
enum OAPError: Error, Equatable, CustomStringConvertible {
    case credentials(SignatureError)
    case config(EncConfig.ParseError)
    case decode(OAPHeader.ParseError)
    case stale
    case replay
    case trust(TrustError)
    case badSignature
    case unusableCertificateKey
    case nameMismatch(expected: String, found: String?)
    case idMismatch
    case requestHashMismatch
    case digestUnavailable(DigestAlgorithm)
    case kexWithoutData
    case kexNotKEM
    case negotiation(NegotiationError)
    case keyExchange(KeyExchangeError)

    /// What the server reports to both applications.
    var serverResult: OuroError {
        switch self {
        case .config, .kexWithoutData, .kexNotKEM, .negotiation, .keyExchange: .crypt
        default: .auth
        }
    }

    /// What an allocation whose request could not be prepared returns: the
    /// reference's `EBADF`, except `ENOTSUP` for an algorithm we lack.
    var preparationResult: OuroError {
        switch self {
        case .keyExchange(.unsupported), .keyExchange(.unsupportedKDF), .digestUnavailable: .notSupported
        default: .badDescriptor
        }
    }

    var description: String {
        switch self {
        case .credentials(let e): "cannot load credentials: \(e)"
        case .config(let e): "bad enc.conf: \(e)"
        case .decode(let e): "cannot decode OAP header: \(e)"
        case .stale: "OAP header outside the freshness window"
        case .replay: "OAP header already seen (replay)"
        case .trust(let e): "certificate not trusted: \(e)"
        case .badSignature: "bad OAP signature"
        case .unusableCertificateKey: "certificate key type not usable for OAP"
        case .nameMismatch(let expected, let found): "certificate CN \(found ?? "(none)") does not match \(expected)"
        case .idMismatch: "OAP id mismatch"
        case .requestHashMismatch: "request hash mismatch"
        case .digestUnavailable(let d): "digest \(d.name) not available in this implementation"
        case .kexWithoutData: "key exchange configured but none requested"
        case .kexNotKEM: "client encapsulation with a non-KEM key exchange"
        case .negotiation(let e): "negotiation failed: \(e)"
        case .keyExchange(.unsupported(let k)): "key exchange \(k.name) not available in this implementation"
        case .keyExchange(.unsupportedKDF(let d)): "KDF \(d.name) not available in this implementation"
        case .keyExchange(let e): "key exchange failed: \(e)"
        }
    }
}

/// The result of a key exchange: what both applications receive.
struct FlowKey: Sendable, Equatable {
    let cipher: CipherAlgorithm
    let key: [UInt8]
}

/// irmd's side of OAP (spec host.md §7): builds requests for allocating
/// applications, answers them for accepting ones (freshness, replay,
/// authentication, negotiation, key exchange) and completes them.
final class OAP: Sendable {
    /// Replay window and future slack, in ns.
    static let replayWindow: UInt64 = 20_000_000_000
    static let futureSlack: UInt64 = 100_000_000

    /// Where `server/<name>/` and `client/<name>/` live (static KEM keys).
    let securityDirectory: String
    let trust: TrustStore
    private let seen = Mutex<[(timestamp: UInt64, id: [UInt8])]>([])

    init(securityDirectory: String, trust: TrustStore) {
        self.securityDirectory = securityDirectory
        self.trust = trust
    }

    /// Now on CLOCK_REALTIME in ns.
    static var realtime: UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// What the client keeps between request and response.
    struct ClientState {
        let name: String
        let request: [UInt8]
        let id: [UInt8]
        /// The digest of `requestHash` (the request's md_nid, SHA-384 for 0).
        let requestDigest: DigestAlgorithm
        let config: EncConfig
        /// Our key pair (DHE, KEM with server encapsulation).
        let exchangeKey: ExchangeKey?
        /// The key already derived when we encapsulated.
        let encapsulatedKey: [UInt8]?
    }

    // MARK: client

    /// Builds the request of an allocation to `name` (spec host.md §7.3).
    func request(name: String, client: SecurityPaths) throws(OAPError) -> ClientState {
        var id = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in id.indices { id[i] = rng.next() }
        let credentials: Credentials?
        do {
            credentials = try Credentials.load(client)
        } catch let e {
            throw .credentials(e)
        }
        let config = try OAP.loadConfig(client.enc)
        if let d = config.kdf, !d.isAvailable { throw .keyExchange(.unsupportedKDF(d)) }
        if let d = config.digest, !d.isAvailable { throw .digestUnavailable(d) }
        var header = OAPHeader(id: id, timestamp: OAP.realtime)
        header.cipherNID = config.cipher?.rawValue ?? 0
        header.kdfNID = config.kdf?.rawValue ?? 0
        header.mdNID = config.digest?.rawValue ?? 0
        header.certificate = credentials?.certificate ?? []
        var exchangeKey: ExchangeKey?
        var encapsulatedKey: [UInt8]?
        if let kex = config.kex {
            do throws(KeyExchangeError) {
                guard kex.isAvailable else { throw .unsupported(kex) }
                if kex.isKEM && config.kemMode == .client {
                    let path = clientKeyPath(name, file: kex.isHybrid ? "kex.srv.pub.raw" : "kex.srv.pub.pem")
                    let serverKey = try ExchangeKey.loadPublic(path: path, raw: kex.isHybrid)
                    let (ciphertext, key) = try ExchangeKey.encapsulate(to: serverKey, algorithm: kex, kdf: config.kdf)
                    header.kex = ciphertext
                    encapsulatedKey = key
                    header.kexClientEncapsulates = true
                } else {
                    let k = try ExchangeKey.generate(kex)
                    header.kex = k.publicKey
                    exchangeKey = k
                }
                header.kexRaw = kex.isHybrid
            } catch let e {
                throw .keyExchange(e)
            }
        }
        let bytes = try OAP.sign(header, with: credentials, digest: config.digest)
        return ClientState(name: name, request: bytes, id: id, requestDigest: config.digest ?? .sha384, config: config,
                           exchangeKey: exchangeKey, encapsulatedKey: encapsulatedKey)
    }

    /// Completes an allocation with the server's response (spec host.md §7.3):
    /// the flow key, or nil when the client asked for no encryption.
    func complete(_ state: ClientState, response: [UInt8]) throws(OAPError) -> FlowKey? {
        let rsp: OAPHeader
        do {
            rsp = try OAPHeader(parsing: response, requestHashLength: state.requestDigest.length)
        } catch let e {
            throw .decode(e)
        }
        guard rsp.id == state.id else { throw .idMismatch }
        let peer = try authenticate(rsp, bytes: response)
        guard let hash = state.requestDigest.hash(state.request) else { throw .digestUnavailable(state.requestDigest) }
        guard rsp.requestHash == hash else { throw .requestHashMismatch }
        if let peer, peer != state.name { throw .nameMismatch(expected: state.name, found: peer) }
        if !rsp.certificate.isEmpty && peer == nil { throw .nameMismatch(expected: state.name, found: nil) }
        guard state.config.kex != nil else { return nil }
        let (cipher, kdf): (CipherAlgorithm, DigestAlgorithm?)
        do {
            (cipher, kdf) = try Negotiation.client(responseCipherNID: rsp.cipherNID, responseKDFNID: rsp.kdfNID,
                                                   config: state.config)
        } catch let e {
            throw .negotiation(e)
        }
        do throws(KeyExchangeError) {
            if let key = state.encapsulatedKey { return FlowKey(cipher: cipher, key: key) }
            guard let own = state.exchangeKey, !rsp.kex.isEmpty else { throw .missingPeerData }
            let key = own.algorithm.isKEM ? try own.decapsulate(rsp.kex, kdf: kdf) : try own.agree(peer: rsp.kex, kdf: kdf)
            return FlowKey(cipher: cipher, key: key)
        } catch let e {
            throw .keyExchange(e)
        }
    }

    // MARK: server

    /// Checks a request for `name` and builds the response (spec host.md §7.4),
    /// with the flow key when one was negotiated.
    func respond(to bytes: [UInt8], name: String, server: SecurityPaths) throws(OAPError) -> (response: [UInt8], key: FlowKey?) {
        let credentials: Credentials?
        do {
            credentials = try Credentials.load(server)
        } catch let e {
            throw .credentials(e)
        }
        let config = try OAP.loadConfig(server.enc)
        let req: OAPHeader
        do {
            req = try OAPHeader(parsing: bytes)
        } catch let e {
            throw .decode(e)
        }
        try checkFresh(req)
        _ = try authenticate(req, bytes: bytes)
        var rsp = OAPHeader(id: req.id, timestamp: OAP.realtime)
        rsp.kdfNID = config.kdf?.rawValue ?? 0
        rsp.mdNID = config.digest?.rawValue ?? 0
        rsp.certificate = credentials?.certificate ?? []
        var flowKey: FlowKey?
        if req.kex.isEmpty {
            if config.kex != nil { throw .kexWithoutData }
        } else {
            let (cipher, kdf): (CipherAlgorithm, DigestAlgorithm?)
            do {
                (cipher, kdf) = try Negotiation.server(cipherNID: req.cipherNID, kdfNID: req.kdfNID,
                                                       clientEncapsulates: req.kexClientEncapsulates, config: config)
            } catch let e {
                throw .negotiation(e)
            }
            let key = try exchange(req, name: name, config: config, kdf: kdf, response: &rsp)
            rsp.cipherNID = cipher.rawValue
            rsp.kdfNID = kdf?.rawValue ?? 0
            flowKey = FlowKey(cipher: cipher, key: key)
        }
        let requestDigest = DigestAlgorithm(rawValue: req.mdNID) ?? .sha384
        guard let hash = requestDigest.hash(bytes) else { throw .digestUnavailable(requestDigest) }
        rsp.requestHash = hash
        return (try OAP.sign(rsp, with: credentials, digest: config.digest), flowKey)
    }

    /// The server's half of the key exchange (spec host.md §7.7 steps 3–4):
    /// fills the response's kex field and returns the flow key.
    private func exchange(_ req: OAPHeader, name: String, config: EncConfig, kdf: DigestAlgorithm?,
                          response rsp: inout OAPHeader) throws(OAPError) -> [UInt8] {
        if req.kexClientEncapsulates {
            guard let kex = config.kex, kex.isKEM else { throw .kexNotKEM }
            do throws(KeyExchangeError) {
                guard kex.isAvailable else { throw .unsupported(kex) }
                let file = req.kexRaw ? "kex.key.raw" : "kex.key.pem"
                let own = try ExchangeKey.loadPrivate(path: serverKeyPath(name, file: file), raw: req.kexRaw)
                return try own.decapsulate(req.kex, kdf: kdf)
            } catch let e {
                throw .keyExchange(e)
            }
        }
        let kex: KexAlgorithm
        do {
            kex = try ExchangeKey.algorithm(ofPeerKey: req.kex, raw: req.kexRaw)
        } catch let e {
            throw .keyExchange(e)
        }
        do {
            try Negotiation.checkKex(client: kex, config: config)
        } catch let e {
            throw .negotiation(e)
        }
        do throws(KeyExchangeError) {
            guard kex.isAvailable else { throw .unsupported(kex) }
            if kex.isKEM {
                let (ciphertext, key) = try ExchangeKey.encapsulate(to: req.kex, algorithm: kex, kdf: kdf)
                rsp.kex = ciphertext
                rsp.kexRaw = kex.isHybrid
                return key
            }
            let own = try ExchangeKey.generate(kex)
            rsp.kex = own.publicKey
            return try own.agree(peer: req.kex, kdf: kdf)
        } catch let e {
            throw .keyExchange(e)
        }
    }

    // MARK: shared steps

    /// Verifies a header's certificate and signature (spec host.md §7.4 step 4):
    /// the certificate's CN, or nil for an anonymous peer.
    private func authenticate(_ h: OAPHeader, bytes: [UInt8]) throws(OAPError) -> String? {
        guard !h.certificate.isEmpty else { return nil }
        let crt: Certificate
        do {
            crt = try trust.verify(der: h.certificate)
        } catch let e {
            throw .trust(e)
        }
        guard let key = VerifyingKey(crt.publicKey) else { throw .unusableCertificateKey }
        let signed = Array(bytes[0..<(bytes.count - h.signature.count)])
        guard !h.signature.isEmpty,
              key.isValid(signature: h.signature, for: signed, digest: DigestAlgorithm(rawValue: h.mdNID)) else {
            throw .badSignature
        }
        return crt.commonName
    }

    /// The wire bytes of `header`, signed when there are credentials.
    private static func sign(_ header: OAPHeader, with credentials: Credentials?,
                             digest: DigestAlgorithm?) throws(OAPError) -> [UInt8] {
        let bytes = header.serialize()
        guard let credentials else { return bytes }
        do {
            return bytes + (try credentials.key.sign(bytes, digest: digest))
        } catch let e {
            throw .credentials(e)
        }
    }

    private static func loadConfig(_ path: String) throws(OAPError) -> EncConfig {
        do {
            return try EncConfig.load(path: path)
        } catch let e {
            throw .config(e)
        }
    }

    private func clientKeyPath(_ name: String, file: String) -> String { "\(securityDirectory)/client/\(name)/\(file)" }
    private func serverKeyPath(_ name: String, file: String) -> String { "\(securityDirectory)/server/\(name)/\(file)" }

    private func checkFresh(_ h: OAPHeader) throws(OAPError) {
        let now = OAP.realtime
        if h.timestamp > now + OAP.futureSlack || now > h.timestamp + OAP.replayWindow { throw .stale }
        let replay = seen.withLock { list -> Bool in
            list.removeAll { now > $0.timestamp + OAP.replayWindow }
            if list.contains(where: { $0.timestamp == h.timestamp && $0.id == h.id }) { return true }
            list.append((h.timestamp, h.id))
            return false
        }
        if replay { throw .replay }
    }
}
