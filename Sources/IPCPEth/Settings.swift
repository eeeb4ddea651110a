#if canImport(Glibc)
import Glibc
#endif

/// Data-path knobs read from the environment, for measurements:
/// `OUROBOROS_ETH_RX` = `frame` (one recv per frame, the default) or `ring`
/// (TPACKET_V3); `OUROBOROS_ETH_TX_BATCH` = frames per sendmmsg (1: sendto).
public struct EthernetSettings: Sendable, Equatable {
    public var receive: PacketSocket.ReceiveMode
    public var sendBatch: Int

    public static let `default` = EthernetSettings(receive: .perFrame, sendBatch: 32)
    /// The ring's geometry when enabled: 32 blocks (of at least 64 KiB), 1 ms retire timeout.
    public static let ring = PacketSocket.ReceiveMode.ring(blocks: 32, retireMilliseconds: 1)

    public init(receive: PacketSocket.ReceiveMode, sendBatch: Int) {
        self.receive = receive
        self.sendBatch = sendBatch
    }

    /// The default, changed by the environment variables.
    public static func fromEnvironment() -> EthernetSettings {
        var s = EthernetSettings.default
        if let rx = getenv("OUROBOROS_ETH_RX").map({ String(cString: $0) }), rx == "ring" { s.receive = ring }
        if let tx = getenv("OUROBOROS_ETH_TX_BATCH").flatMap({ Int(String(cString: $0)) }) {
            s.sendBatch = max(1, min(tx, PacketSocket.maxBatch))
        }
        return s
    }
}
