import DevKit

extension HashAlgorithm {
    /// The spelling the IPCP daemons log (`SHA3-256`).
    public var logName: String {
        switch self {
        case .sha3_224: return "SHA3-224"
        case .sha3_256: return "SHA3-256"
        case .sha3_384: return "SHA3-384"
        case .sha3_512: return "SHA3-512"
        case .crc32: return "CRC32"
        case .md5: return "MD5"
        }
    }
}

extension IPCPState {
    /// The spelling the IPCP daemons log (`operational`).
    var logName: String {
        switch self {
        case .null: return "null"
        case .initial: return "init"
        case .boot: return "boot"
        case .bootstrapped: return "bootstrapped"
        case .enrolled: return "enrolled"
        case .operational: return "operational"
        case .shutdown: return "shutdown"
        }
    }
}
