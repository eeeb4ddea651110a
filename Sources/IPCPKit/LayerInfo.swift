import DevKit

/// The layer an IPCP belongs to once it bootstrapped or enrolled: its name and
/// the hash algorithm its directory uses for names.
public struct LayerInfo: Sendable, Equatable {
    /// The layer name (at most 255 characters on the wire).
    public let name: String
    /// The directory hash algorithm of the layer.
    public let hashAlgorithm: HashAlgorithm

    public init(name: String, hashAlgorithm: HashAlgorithm) {
        self.name = name
        self.hashAlgorithm = hashAlgorithm
    }

    /// Reads a `layer_info_msg`; an unknown hash algorithm is `.invalid`.
    public init(_ message: layer_info_msg) throws(OuroError) {
        guard let algorithm = HashAlgorithm(rawValue: message.dirHashAlgo) else { throw OuroError.invalid }
        self.init(name: message.name, hashAlgorithm: algorithm)
    }

    /// The protobuf form.
    public var message: layer_info_msg {
        var m = layer_info_msg()
        m.name = name
        m.dirHashAlgo = hashAlgorithm.rawValue
        return m
    }
}

extension HashAlgorithm {
    /// The spelling the IPCP daemons log (`SHA3-256`).
    var logName: String {
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
