/// The components N-1 flows connect in a unicast or broadcast IPCP (ipcps.md
/// §6.7.1, §7.3). The names double as the `comp` strings of irmd's
/// CONNECT/DISCONNECT.
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
}
