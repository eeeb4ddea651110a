import DevKit
import Synchronization

/// irmd's registry: IPCPs, names, programs, processes, flows and the pids irmd
/// spawned (spec host.md §3). One lock guards it all; every change wakes the
/// waiters, which re-check their predicates.
final class Registry: Sendable {
    /// The highest flow id plus one (`SYS_MAX_FLOWS`).
    static let maxFlows = 10240

    struct State: Sendable {
        var ipcps: [Int32: IPCPEntry] = [:]
        var names: [String: NameEntry] = [:]
        var programs: [String: ProgramEntry] = [:]
        var processes: [Int32: ProcessEntry] = [:]
        var flows: [Int: FlowEntry] = [:]
        var spawned: Set<Int32> = []
        /// Pids that announced themselves as a process of a uid with a per-user pool.
        var poolUsers: [UInt32: Int] = [:]
    }

    let state = Mutex(State())
    private let changed = ConditionSignal()
    let securityDirectory: String

    init(securityDirectory: String = Instance.defaultSecurityDirectory) {
        self.securityDirectory = securityDirectory
    }

    /// Runs `body` under the registry lock and wakes every waiter afterwards.
    @discardableResult
    func update<R>(_ body: (inout State) throws(RegistryError) -> R) throws(RegistryError) -> R {
        defer { changed.broadcast() }
        return try state.withLock { (s: inout State) throws(RegistryError) -> R in try body(&s) }
    }

    /// Reads under the registry lock.
    func read<R>(_ body: (State) -> R) -> R { state.withLock { body($0) } }

    /// Waits until `predicate` holds or `deadline` passes; false on timeout.
    func wait(until deadline: Deadline?, _ predicate: (State) -> Bool) -> Bool {
        changed.wait(until: deadline) { state.withLock { predicate($0) } }
    }

    /// Wakes waiters without a change (shutdown).
    func wakeAll() { changed.broadcast() }
}

/// Why a registry operation failed, mapped to the reference's result codes.
enum RegistryError: Error, Equatable {
    case exists
    case notFound
    case invalid
    case wrongState
    case noFlowIDs

    var ouroError: OuroError {
        switch self {
        case .exists: return .exists
        case .notFound: return .failure
        case .invalid: return .invalid
        case .wrongState: return .badDescriptor
        case .noFlowIDs: return .badDescriptor
        }
    }
}
