import Crypto
import CryptoExtras
import Foundation
import Synchronization

/// The symmetric ciphers a flow can be encrypted with, by OpenSSL NID (spec
/// host.md §7.9).
public enum CipherAlgorithm: UInt16, Sendable, CaseIterable {
    case aes128CTR = 904
    case aes192CTR = 905
    case aes256CTR = 906
    case aes128GCM = 895
    case aes192GCM = 898
    case aes256GCM = 901
    case chacha20Poly1305 = 1018

    /// The name used in enc.conf.
    public var name: String {
        switch self {
        case .aes128GCM: "aes-128-gcm"
        case .aes192GCM: "aes-192-gcm"
        case .aes256GCM: "aes-256-gcm"
        case .chacha20Poly1305: "chacha20-poly1305"
        case .aes128CTR: "aes-128-ctr"
        case .aes192CTR: "aes-192-ctr"
        case .aes256CTR: "aes-256-ctr"
        }
    }

    public init?(name: String) {
        guard let c = CipherAlgorithm.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }

    /// Bytes in front of the ciphertext.
    public var ivLength: Int { isCTR ? 16 : 12 }
    /// Bytes behind it (the AEAD tag; none for CTR).
    public var tagLength: Int { isCTR ? 0 : 16 }
    /// Bytes of the 32-byte flow key the cipher uses (its first ones).
    var keyLength: Int {
        switch self {
        case .aes128GCM, .aes128CTR: 16
        case .aes192GCM, .aes192CTR: 24
        case .aes256GCM, .aes256CTR, .chacha20Poly1305: 32
        }
    }

    var isCTR: Bool { self == .aes128CTR || self == .aes192CTR || self == .aes256CTR }
}

/// Per-packet encryption of one flow endpoint (spec host.md §7.10): each
/// packet becomes `IV ‖ ciphertext ‖ tag`, without associated data, the IV
/// random except for the key phase in bit 7 of its first byte. The key rotates
/// as `KeySchedule` says, identically at both ends.
public final class FlowCipher: Sendable {
    public let algorithm: CipherAlgorithm
    private let schedule: Mutex<KeySchedule>

    /// A cipher context for `key` (32 bytes); `ECRYPT` for a bad key length.
    public init(algorithm: CipherAlgorithm, key: [UInt8]) throws(OuroError) {
        guard key.count == KeyDerivation.keyLength else { throw OuroError.crypt }
        self.algorithm = algorithm
        schedule = Mutex(KeySchedule(key: key, keyLength: algorithm.keyLength))
    }

    init(algorithm: CipherAlgorithm, schedule: KeySchedule) {
        self.algorithm = algorithm
        self.schedule = Mutex(schedule)
    }

    /// `IV ‖ ciphertext ‖ tag` of `plaintext`.
    public func encrypt(_ plaintext: UnsafeRawBufferPointer) throws(OuroError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.ivLength + plaintext.count + algorithm.tagLength)
        let ok = out.withUnsafeMutableBytes { o in (try? encrypt(plaintext, into: o)) != nil }
        guard ok else { throw OuroError.crypt }
        return out
    }

    /// Writes `IV ‖ ciphertext ‖ tag` of `plaintext` into `out` (exactly that long;
    /// `plaintext` may be its middle part).
    private func encrypt(_ plaintext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws(OuroError) {
        let (key, phaseBit) = schedule.withLock { $0.nextEncryption() }
        let ivLength = algorithm.ivLength
        var iv = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &iv) { b in
            var rng = SystemRandomNumberGenerator()
            b.storeBytes(of: rng.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            b.storeBytes(of: rng.next() as UInt64, toByteOffset: 8, as: UInt64.self)
            b[0] = phaseBit ? b[0] | 0x80 : b[0] & 0x7f
        }
        let ivBytes = withUnsafeBytes(of: iv) { Array($0.prefix(ivLength)) }
        do {
            let body: Data, tag: Data
            switch algorithm {
            case .aes128GCM, .aes192GCM, .aes256GCM:
                let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: ivBytes))
                (body, tag) = (box.ciphertext, box.tag)
            case .chacha20Poly1305:
                let box = try ChaChaPoly.seal(plaintext, using: key, nonce: ChaChaPoly.Nonce(data: ivBytes))
                (body, tag) = (box.ciphertext, box.tag)
            case .aes128CTR, .aes192CTR, .aes256CTR:
                (body, tag) = (try AES._CTR.encrypt(plaintext, using: key, nonce: AES._CTR.Nonce(nonceBytes: ivBytes)), Data())
            }
            out.copyBytes(from: ivBytes)
            body.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: out[ivLength...]))
            tag.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: out[(ivLength + body.count)...]))
        } catch {
            throw OuroError.crypt
        }
    }

    /// The plaintext of `IV ‖ ciphertext ‖ tag`, or nil when it is too short or
    /// fails authentication with both the current and the previous key.
    public func decrypt(_ packet: UnsafeRawBufferPointer) -> [UInt8]? {
        let ivLength = algorithm.ivLength, tagLength = algorithm.tagLength
        guard packet.count >= ivLength + tagLength, ivLength > 0 else { return nil }
        let keys = schedule.withLock { $0.nextDecryption(phaseBit: packet[0] & 0x80 != 0) }
        let iv = UnsafeRawBufferPointer(rebasing: packet[0..<ivLength])
        let body = UnsafeRawBufferPointer(rebasing: packet[ivLength..<packet.count - tagLength])
        let tag = UnsafeRawBufferPointer(rebasing: packet[(packet.count - tagLength)...])
        for k in keys {
            switch algorithm {
            case .aes128GCM, .aes192GCM, .aes256GCM:
                if let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: body, tag: tag),
                   let plain = try? AES.GCM.open(box, using: k) { return Array(plain) }
            case .chacha20Poly1305:
                if let box = try? ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: iv), ciphertext: body, tag: tag),
                   let plain = try? ChaChaPoly.open(box, using: k) { return Array(plain) }
            case .aes128CTR, .aes192CTR, .aes256CTR:
                if let nonce = try? AES._CTR.Nonce(nonceBytes: iv),
                   let plain = try? AES._CTR.decrypt(body, using: k, nonce: nonce) { return Array(plain) }
            }
        }
        return nil
    }

    /// Encrypts the packet in `buffer` in place: IV into the headroom, tag into
    /// the tailroom.
    public func seal(_ buffer: PacketBuffer) throws(OuroError) {
        try buffer.headAlloc(algorithm.ivLength)
        try buffer.tailAlloc(algorithm.tagLength)
        let out = buffer.bytes
        let plain = UnsafeRawBufferPointer(rebasing: out[algorithm.ivLength..<out.count - algorithm.tagLength])
        try encrypt(plain, into: out)
    }

    /// Decrypts the packet in `buffer` in place; false (buffer unchanged) when
    /// it does not authenticate.
    public func open(_ buffer: PacketBuffer) -> Bool {
        guard let plain = decrypt(UnsafeRawBufferPointer(buffer.bytes)),
              (try? buffer.headRelease(algorithm.ivLength)) != nil,
              (try? buffer.tailRelease(algorithm.tagLength)) != nil else { return false }
        plain.withUnsafeBytes { buffer.bytes.copyMemory(from: $0) }
        return true
    }
}
