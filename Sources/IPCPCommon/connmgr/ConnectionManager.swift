#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// The connection manager (ipcps.md §6.7): allocates N-1 flows to other
/// IPCPs in the layers below, accepts theirs, and runs OCEP on every new
/// flow to learn which component it connects and the peer's address. It
/// hands connections to the component's listener and keeps them until they
/// are disconnected or their flow goes away. `offers` says which components
/// the IPCP type has and what it answers about them.
public final class ConnectionManager: Sendable {
    /// How long each side waits for the other's OCEP message.
    public static let receiveTimeout = Duration.milliseconds(1000)
    /// Stored destination names are cut to this many characters.
    static let destinationLimit = 64

    public let offers: ComponentOffers
    private let ownAddress = Atomic<UInt64>(0)
    private let listeners = Mutex<[ConnectionComponent: any ConnectionListener]>([:])
    private let connections = Mutex<[Connection]>([])
    private let running = Atomic<Bool>(false)
    private let log = Logger(label: "connection-manager")

    public init(offers: ComponentOffers) { self.offers = offers }

    /// The address this IPCP announces (0 until it has one).
    public var address: Address {
        get { Address(ownAddress.load(ordering: .relaxed)) }
        set { ownAddress.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// Hands connections of `component` to `listener`.
    public func register(_ listener: any ConnectionListener, for component: ConnectionComponent) {
        listeners.withLock { $0[component] = listener }
    }

    private func listener(_ component: ConnectionComponent) -> (any ConnectionListener)? {
        listeners.withLock { $0[component] }
    }

    // MARK: initiating

    /// The component a CONNECT/DISCONNECT names: one this IPCP type offers,
    /// never enrollment (`.invalid` otherwise).
    public func component(named name: String) throws(OuroError) -> ConnectionComponent {
        guard let c = ConnectionComponent(name: name), c != .enrollment, offers.has(c) else {
            log.error("No such component: \(name).")
            throw OuroError.invalid
        }
        return c
    }

    /// Allocates an N-1 flow to `destination` for `component` and runs OCEP
    /// on it (§6.7.3); the flow keeps the 1 s receive timeout. Nothing is
    /// stored: enrollment uses this directly.
    public func allocate(_ component: ConnectionComponent, to destination: String, qos: QoSSpec) throws(OuroError) -> Connection {
        guard let offer = offers.offer(component, address: address) else {
            log.error("No such component: \(component.name).")
            throw OuroError.invalid
        }
        let flow: Flow
        do {
            flow = try Flow.allocate(to: destination, qos: qos)
        } catch {
            log.error("Failed to allocate flow to \(destination): \(error).")
            throw error
        }
        do throws(OuroError) {
            try flow.setReceiveTimeout(ConnectionManager.receiveTimeout)
            try flow.write(offer.serialize())
            let answer = try OCEPMessage(parsing: try flow.read(maxLength: 4096))
            guard offer.isCompatible(with: answer) else {
                log.error("Peer \(destination) does not speak \(offer.protocolName) version \(offer.version).")
                throw OuroError.notSupported
            }
            return Connection(flow: flow, component: component, peer: answer, qos: qos,
                              destination: String(destination.prefix(ConnectionManager.destinationLimit)))
        } catch {
            log.error("Failed to establish \(component.name) connection to \(destination): \(error).")
            try? flow.deallocate()
            throw error
        }
    }

    /// CONNECT: a new connection of `component` to `destination`, handed to
    /// the component's listener.
    public func connect(_ component: ConnectionComponent, to destination: String, qos: QoSSpec) throws(OuroError) {
        guard let listener = listener(component) else {
            log.error("Component \(component.name) is not running.")
            throw OuroError.ipcpState
        }
        let connection = try allocate(component, to: destination, qos: qos)
        connections.withLock { $0.append(connection) }
        listener.connectionAdded(connection)
        log.info("Connected \(component.name) to \(destination) (\(connection.peer.address)).")
    }

    /// DISCONNECT: the first connection of `component` to `destination` goes
    /// away; none is not an error.
    public func disconnect(_ component: ConnectionComponent, from destination: String) {
        let name = String(destination.prefix(ConnectionManager.destinationLimit))
        let found = connections.withLock { c -> Connection? in
            guard let i = c.firstIndex(where: { $0.component == component && $0.destination == name }) else { return nil }
            return c.remove(at: i)
        }
        guard let connection = found else { return }
        listener(component)?.connectionRemoved(connection)
        try? connection.flow.deallocate()
    }

    // MARK: accepting

    /// Starts accepting N-1 flows.
    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        startThread { [self] in acceptLoop() }
    }

    /// Stops accepting and drops every connection. The acceptor blocks in
    /// irmd's accept; it ends with the process.
    public func stop() {
        running.store(false, ordering: .relaxed)
        for connection in connections.withLock({ c -> [Connection] in defer { c.removeAll() }; return c }) {
            listener(connection.component)?.connectionRemoved(connection)
            try? connection.flow.deallocate()
        }
    }

    private func acceptLoop() {
        while running.load(ordering: .relaxed) {
            let flow: Flow
            do {
                flow = try Flow.accept()
            } catch {
                log.debug("Accept failed: \(error).")
                usleep(100_000)
                continue
            }
            guard running.load(ordering: .relaxed) else {
                try? flow.deallocate()
                return
            }
            accepted(flow)
        }
    }

    /// OCEP on an accepted flow (§6.7.3): an unknown component gets the
    /// all-empty answer and the flow is dropped.
    private func accepted(_ flow: Flow) {
        let request: OCEPMessage
        do {
            try flow.setReceiveTimeout(ConnectionManager.receiveTimeout)
            request = try OCEPMessage(parsing: try flow.read(maxLength: 4096))
        } catch {
            log.error("Failed to receive connection request: \(error).")
            try? flow.deallocate()
            return
        }
        guard let component = ConnectionComponent(name: request.componentName), let listener = listener(component),
              let offer = offers.offer(component, address: address) else {
            log.error("Connection request for unknown component \(request.componentName).")
            _ = try? flow.write(OCEPMessage.rejection.serialize())
            try? flow.deallocate()
            return
        }
        do {
            try flow.write(offer.serialize())
            try flow.setReceiveTimeout(nil)
        } catch {
            log.error("Failed to answer connection request: \(error).")
            try? flow.deallocate()
            return
        }
        let connection = Connection(flow: flow, component: component, peer: request,
                                    qos: (try? flow.qos()) ?? .raw, destination: nil)
        if component != .enrollment { connections.withLock { $0.append(connection) } }
        listener.connectionAdded(connection)
        log.info("Accepted \(component.name) connection from \(request.address).")
    }

    // MARK: flow events

    /// Events of Data Transfer flows from the DT: a deallocated flow or a
    /// silent peer ends the connection; down/up are passed on.
    public func n1FlowEvent(_ flow: Flow, _ event: FlowEventType) {
        guard let connection = connections.withLock({ $0.first { $0.flow == flow } }) else { return }
        if !event.intersection([.dealloc, .peer]).isEmpty {
            let removed = connections.withLock { c -> Bool in
                guard let i = c.firstIndex(where: { $0.flow == flow }) else { return false }
                c.remove(at: i)
                return true
            }
            guard removed else { return }
            log.info("\(connection.component.name) connection to \(connection.peer.address) lost.")
            listener(connection.component)?.connectionRemoved(connection)
            try? flow.deallocate()
        } else if event.contains(.down) {
            listener(connection.component)?.connectionStateChanged(connection, up: false)
        } else if event.contains(.up) {
            listener(connection.component)?.connectionStateChanged(connection, up: true)
        }
    }
}
