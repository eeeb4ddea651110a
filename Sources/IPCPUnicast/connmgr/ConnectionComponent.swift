/// The components of a unicast IPCP that N-1 flows connect (ipcps.md §6.7.1).
/// The names double as the `comp` strings of irmd's CONNECT/DISCONNECT.
public enum ConnectionComponent: CaseIterable, Sendable {
    case dataTransfer
    case enrollment
    case management

    public var name: String {
        switch self {
        case .dataTransfer: return "Data Transfer"
        case .enrollment: return "Enrollment"
        case .management: return "Management"
        }
    }

    /// The component with this name.
    public init?(name: String) {
        guard let c = ConnectionComponent.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }

    /// What this IPCP says about the component: Enrollment sends no address.
    public func offer(address: Address) -> OCEPMessage {
        switch self {
        case .dataTransfer:
            return OCEPMessage(componentName: name, protocolName: "dtp", version: 1, syntax: 2, address: address)
        case .enrollment:
            return OCEPMessage(componentName: name, protocolName: "OEP", version: 1, syntax: 0, address: .none)
        case .management:
            return OCEPMessage(componentName: name, protocolName: "LSP", version: 1, syntax: 0, address: address)
        }
    }
}
