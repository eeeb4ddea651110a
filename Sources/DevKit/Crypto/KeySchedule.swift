import Crypto

/// The per-flow key phase logic of spec host.md §7.10: one context per flow
/// endpoint, shared by both directions, counting encryptions and decryptions
/// alike. It rotates the key every `1 << rotationBit` operations (the reference
/// uses bit 20), carries the phase in bit 7 of the first IV byte, and keeps the
/// previous key for late packets until half an epoch has passed.
struct KeySchedule: Sendable {
    static let defaultRotationBit = 20

    private(set) var current: [UInt8]
    private(set) var previous: [UInt8]?
    /// The cipher keys of `current` and `previous`: their first `keyLength` bytes.
    private(set) var currentKey: SymmetricKey
    private(set) var previousKey: SymmetricKey?
    let keyLength: Int
    private(set) var counter: UInt32 = 0
    private(set) var age: UInt32 = 0
    private(set) var phase = false
    let mask: UInt32
    /// SHA-256 of the initial key: the salt of every rotation.
    private let salt: [UInt8]

    init(key: [UInt8], keyLength: Int = KeyDerivation.keyLength, rotationBit: Int = KeySchedule.defaultRotationBit) {
        precondition(rotationBit > 0 && rotationBit < 32)
        current = key
        self.keyLength = keyLength
        currentKey = SymmetricKey(data: key.prefix(keyLength))
        mask = 1 << UInt32(rotationBit)
        salt = DigestAlgorithm.sha256.hash(key)!
    }

    /// Accounts one encryption: the key to use and the phase bit its IV carries.
    mutating func nextEncryption() -> (key: SymmetricKey, phaseBit: Bool) {
        let result = (currentKey, counter & mask != 0)
        counter &+= 1
        age &+= 1
        if counter & mask != (counter &- 1) & mask { rotate() }
        if previous != nil && age >= mask >> 1 {
            previous = nil
            previousKey = nil
        }
        return result
    }

    /// Accounts one decryption of a packet whose IV carries `phaseBit`: the
    /// keys to try, current first.
    mutating func nextDecryption(phaseBit: Bool) -> [SymmetricKey] {
        if phaseBit != phase && age >= mask - (mask >> 2) { rotate() }
        counter &+= 1
        age &+= 1
        return [currentKey] + (previousKey.map { [$0] } ?? [])
    }

    private mutating func rotate() {
        previous = current
        previousKey = currentKey
        current = KeyDerivation.hkdf(secret: current, salt: salt, info: KeyDerivation.rotationInfo, digest: .sha256)!
        currentKey = SymmetricKey(data: current.prefix(keyLength))
        age = 0
        phase.toggle()
    }
}
