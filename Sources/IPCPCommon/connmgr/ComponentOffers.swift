/// The components an IPCP type has and what it says about each in OCEP
/// (ipcps.md §6.7.1 for unicast, §7.3 for broadcast).
public struct ComponentOffers: Sendable {
    /// The protocol one component speaks.
    public struct ComponentProtocol: Sendable, Equatable {
        public let name: String
        public let version: Int32
        /// 0 GPB, 1 ASN.1, 2 FIXED.
        public let syntax: Int32
        /// Whether the offer carries the IPCP's address (Enrollment sends 0).
        public let sendsAddress: Bool
    }

    private let protocols: [ConnectionComponent: ComponentProtocol]

    public init(_ protocols: [ConnectionComponent: ComponentProtocol]) { self.protocols = protocols }

    private static let enrollment = ComponentProtocol(name: "OEP", version: 1, syntax: 0, sendsAddress: false)

    /// Data Transfer ("dtp" 1, FIXED), Enrollment, Management ("LSP" 1, GPB).
    public static let unicast = ComponentOffers([
        .dataTransfer: ComponentProtocol(name: "dtp", version: 1, syntax: 2, sendsAddress: true),
        .enrollment: enrollment,
        .management: ComponentProtocol(name: "LSP", version: 1, syntax: 0, sendsAddress: true),
    ])

    /// Data Transfer (empty protocol, version 0, syntax 0) and Enrollment; no Management.
    public static let broadcast = ComponentOffers([
        .dataTransfer: ComponentProtocol(name: "", version: 0, syntax: 0, sendsAddress: true),
        .enrollment: enrollment,
    ])

    /// Whether this IPCP type has `component`.
    public func has(_ component: ConnectionComponent) -> Bool { protocols[component] != nil }

    /// What this IPCP says about `component`; nil when it has no such component.
    public func offer(_ component: ConnectionComponent, address: Address) -> OCEPMessage? {
        guard let p = protocols[component] else { return nil }
        return OCEPMessage(componentName: component.name, protocolName: p.name, version: p.version, syntax: p.syntax,
                           address: p.sendsAddress ? address : .none)
    }
}
