import DevKit

/// The QoS cubes of a unicast layer (ipcps.md §1.1): the `qc` byte of the DT
/// PCI and the index of the per-cube packet scheduler and forwarding table.
public enum QoSCube: UInt8, CaseIterable, Sendable {
    case bestEffort = 0
    case video = 1
    case voice = 2

    /// The cube a flow with `qos` is scheduled in (§1.2: first match wins).
    public init(_ qos: QoSSpec) {
        if qos.delay <= 50 && qos.bandwidth <= 100_000 && qos.availability >= 5 && qos.maxGap <= 50 {
            self = .voice
        } else if qos.delay <= 100 && qos.availability >= 3 && qos.maxGap <= 100 {
            self = .video
        } else {
            self = .bestEffort
        }
    }

    /// The scheduler priority setting (0–99) of the cube's reader threads.
    public var priority: Int32 {
        switch self {
        case .bestEffort: return 50
        case .video: return 90
        case .voice: return 99
        }
    }
}
