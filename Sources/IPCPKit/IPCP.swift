#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// The common core of every IPCP daemon: its identity, the state machine
/// (ipcps.md §2.5), the layer it joined, its N+1 flows, irmd's requests
/// (`handle(request:)`) and the upcalls the type-specific operations use.
public final class IPCP: Sendable {
    /// The IPCP's type.
    public let type: IPCPType
    /// The IPCP's name.
    public let name: String
    /// The irmd that spawned this IPCP.
    public let irmdPID: Int32
    /// The upcalls to irmd.
    public let irmd: IRMdClient
    /// The N+1 flows.
    public let flows = FlowTable()

    let log = Logger(label: "ipcpd/ipcp")

    /// Where the one incoming allocation the skeleton lets through at a time is (§2.8.1).
    enum Arrival: Equatable {
        case idle
        case requesting
        case pending(Int32)
    }

    struct Core {
        var state: IPCPState = .null
        var layer: LayerInfo?
        var arrival: Arrival = .idle
    }

    let core = Mutex(Core())
    /// Broadcast on every change of `core`.
    let changed = ConditionSignal()
    private let installed = Mutex<(any IPCPOperations)?>(nil)

    /// How N+1 flows are mapped.
    public let dataPath: any N1DataPath

    /// An IPCP in state NULL, talking to irmd of `instance`.
    public init(type: IPCPType, name: String, irmdPID: Int32, instance: Instance = .current,
                dataPath: any N1DataPath = SharedMemoryDataPath()) {
        self.type = type
        self.name = name
        self.irmdPID = irmdPID
        self.irmd = IRMdClient(instance: instance, pid: getpid())
        self.dataPath = dataPath
    }

    /// Installs the type-specific operations; until then every request answers -ENOTSUP.
    public func install(_ operations: any IPCPOperations) {
        installed.withLock { $0 = operations }
    }

    var operations: (any IPCPOperations)? { installed.withLock { $0 } }

    /// The current state.
    public var state: IPCPState { core.withLock { $0.state } }

    /// Moves to `state`, waking everything that waits on it.
    public func setState(_ state: IPCPState) {
        core.withLock { $0.state = state }
        changed.broadcast()
    }

    /// The layer, once bootstrapped or enrolled.
    public var layer: LayerInfo? { core.withLock { $0.layer } }

    /// The digest length of the layer's directory hash, once known.
    public var hashLength: Int? { layer?.hashAlgorithm.digestLength }
}
