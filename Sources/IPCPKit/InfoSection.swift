/// The parts of an IPCP's information tree `irm ipcp info` asks for one at a
/// time (each must fit one control message).
public enum InfoSection: String, CaseIterable, Sendable {
    /// `/info`: type, state, layer (every IPCP).
    case info
    /// `/lsdb`: the link-state database and the neighbours.
    case lsdb
    /// `/pff`: the forwarding table of each QoS cube.
    case pff
    /// `/dht`: the DHT's parameters, contacts and values.
    case dht
    /// The N+1 flows (`/flows`, or `/flow-allocator` in a unicast IPCP).
    case flows
    /// `/dt.<address>`: packet, byte and drop counters per N-1 flow and QoS cube.
    case dt
}
