import DevKit
import IPCPCommon
import IPCPKit

/// The directory of a unicast layer (ipcps.md §6.10): maps name digests to
/// the addresses of the IPCPs the names are registered at. A directory talks
/// to its peers in DT packets at eid 1 (`ComponentEndpoint.directory`): the
/// data transfer delivers those to `receive`, the directory sends through the
/// context's `sender`.
public protocol Directory: DTComponent {
    /// Starts the directory's work (bootstrap through the configured peer, timers).
    func start()
    /// Stops it.
    func stop()
    /// Publishes that `hash` is registered at this IPCP.
    func register(_ hash: [UInt8]) throws(OuroError)
    /// Withdraws `hash` from this IPCP.
    func unregister(_ hash: [UInt8]) throws(OuroError)
    /// The address `hash` resolves to, never this IPCP's own; nil when unknown.
    /// May wait for remote answers (the DHT waits at most 2 s).
    func query(_ hash: [UInt8]) -> Address?
    /// The directory's part of the information tree for `section` (`irm
    /// ipcp info`), nil when it keeps nothing there.
    func info(_ section: InfoSection) -> InfoNode?
}

/// What a directory is built from.
public struct DirectoryContext: Sendable {
    /// This IPCP's address.
    public let address: Address
    /// The digest length of the layer's hash algorithm (the DHT's key and id length).
    public let hashLength: Int
    /// The directory configuration of the layer (`dht.peer` is the enroller,
    /// or none in the bootstrapping IPCP).
    public let config: DirectoryConfig
    /// Sends the directory's packets (to eid 1 of other IPCPs).
    public let sender: any PacketSender
    /// The daemon's timer thread.
    public let timers: Timers
    /// The addresses routing currently reaches (the directory's last resort
    /// for finding peers).
    public let reachable: @Sendable () -> [Address]

    public init(address: Address, hashLength: Int, config: DirectoryConfig, sender: any PacketSender, timers: Timers,
                reachable: @escaping @Sendable () -> [Address] = { [] }) {
        self.address = address
        self.hashLength = hashLength
        self.config = config
        self.sender = sender
        self.timers = timers
        self.reachable = reachable
    }
}
