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
