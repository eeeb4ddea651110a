import DevKit

/// What an Ethernet IPCP works with once bootstrapped: the interface, the
/// framing, the MTU and the socket.
public final class EthernetLink: Sendable {
    public let device: EthernetDevice
    public let framing: EthernetFraming
    /// min(framing limit, interface MTU), 9000 at most on loopback.
    public let mtu: Int
    public let socket: PacketSocket

    /// The largest SDU or management message a frame carries.
    public var maxPayload: Int { mtu - framing.shimLength }
    /// Our MAC address.
    public var mac: MACAddress { device.mac }

    public init(device: EthernetDevice, framing: EthernetFraming, receive: PacketSocket.ReceiveMode) throws(OuroError) {
        self.device = device
        self.framing = framing
        mtu = framing.mtu(device: device.name, deviceMTU: device.mtu)
        socket = try PacketSocket(ifindex: device.index, protocol: framing.socketProtocol,
                                  maxFrame: mtu + framing.headerLength - framing.shimLength, receive: receive)
    }

    /// Sends a management message to `destination`. `.messageSize` when it
    /// does not fit in a frame.
    public func send(_ message: ManagementMessage, to destination: MACAddress) throws(OuroError) {
        let payload = message.serialize(layout: framing.layout)
        guard payload.count <= maxPayload else { throw OuroError.messageSize }
        try socket.send(framing.frame(destination: destination, source: mac, endpoints: framing.managementEndpoints,
                                      payload: payload))
    }
}
