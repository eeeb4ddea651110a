import DevKit
import SwiftProtobuf

/// The OCEP message (`cep_msg`, ipcps.md §6.7.2, §9.8): what each side of a
/// new N-1 flow says about the component it connects. Only the required
/// fields are ever filled; the lists are never sent.
public struct OCEPMessage: Sendable, Equatable {
    /// The most a receiver reads: longer messages fail (§10 item 16).
    public static let maxLength = 128

    public var componentName: String
    public var protocolName: String
    public var version: Int32
    /// 0 GPB, 1 ASN.1, 2 FIXED.
    public var syntax: Int32
    /// The sender's layer address (0 for Enrollment).
    public var address: Address

    public init(componentName: String, protocolName: String, version: Int32, syntax: Int32, address: Address) {
        self.componentName = componentName
        self.protocolName = protocolName
        self.version = version
        self.syntax = syntax
        self.address = address
    }

    /// The answer to a request for a component the acceptor does not have.
    public static let rejection = OCEPMessage(componentName: "", protocolName: "", version: 0, syntax: 0, address: .none)

    /// Decodes a message; `.invalid` when longer than 128 bytes, malformed, a
    /// required field is missing, or the component name exceeds 128 characters.
    public init(parsing bytes: [UInt8]) throws(OuroError) {
        guard bytes.count <= OCEPMessage.maxLength,
              let m = try? cep_msg(serializedBytes: bytes),
              m.hasCompName, m.hasProtocol, m.hasPrefVersion, m.hasPrefSyntax, m.hasAddress,
              m.compName.utf8.count <= OCEPMessage.maxLength else { throw OuroError.invalid }
        self.init(componentName: m.compName, protocolName: m.protocol, version: m.prefVersion, syntax: m.prefSyntax,
                  address: Address(m.address))
    }

    public func serialize() -> [UInt8] {
        var m = cep_msg()
        m.compName = componentName
        m.protocol = protocolName
        m.prefVersion = version
        m.prefSyntax = syntax
        m.address = address.rawValue
        return (try? m.serializedBytes()) ?? []
    }

    /// Whether a peer's answer speaks this component's protocol, version and syntax.
    public func isCompatible(with other: OCEPMessage) -> Bool {
        protocolName == other.protocolName && version == other.version && syntax == other.syntax
    }
}
