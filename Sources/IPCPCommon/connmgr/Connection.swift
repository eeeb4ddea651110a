import DevKit

/// An N-1 flow connected to a component of this IPCP (OCEP done).
public struct Connection: Sendable, Equatable {
    public let flow: Flow
    public let component: ConnectionComponent
    /// What the other side said about its component (its address among others).
    public let peer: OCEPMessage
    /// The flow's QoS (the requester's).
    public let qos: QoSSpec
    /// The IPCP name this side connected to; nil for accepted connections.
    public let destination: String?

    public init(flow: Flow, component: ConnectionComponent, peer: OCEPMessage, qos: QoSSpec, destination: String?) {
        self.flow = flow
        self.component = component
        self.peer = peer
        self.qos = qos
        self.destination = destination
    }
}

/// A component that takes connections from the connection manager.
public protocol ConnectionListener: AnyObject, Sendable {
    /// A connection for this component came up (initiated or accepted).
    func connectionAdded(_ connection: Connection)
    /// It was disconnected or its flow deallocated; the connection manager
    /// deallocates the flow afterwards.
    func connectionRemoved(_ connection: Connection)
    /// Its flow went down (`up` false) or came back.
    func connectionStateChanged(_ connection: Connection, up: Bool)
}
