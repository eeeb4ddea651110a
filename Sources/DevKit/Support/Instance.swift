#if canImport(Glibc)
import Glibc
#endif

/// Where one Ouroboros instance lives: its control sockets and the names of its
/// shared-memory objects. Every process of an instance derives them from
/// `OUROBOROS_RUNDIR`, so several instances (tests, nodes of a testbed) can share
/// one machine without touching the system's `/var/run/ouroboros`.
public struct Instance: Sendable, Equatable {
    /// The environment variable that selects a private instance.
    public static let environmentKey = "OUROBOROS_RUNDIR"
    /// The reference's socket directory.
    public static let defaultRunDirectory = "/var/run/ouroboros"
    /// The reference's shared-memory name prefix.
    public static let defaultShmPrefix = "ouroboros"

    /// Directory of the control sockets.
    public let runDirectory: String
    /// Prefix of every shm object name (no leading slash).
    public let shmPrefix: String

    /// The instance the environment selects.
    public static let current = Instance(environment: getenv(environmentKey).map { String(cString: $0) })

    /// An instance in `runDirectory`, or the system instance when it is nil or empty.
    public init(environment runDirectory: String?) {
        guard let dir = runDirectory, !dir.isEmpty, dir != Instance.defaultRunDirectory else {
            self.runDirectory = Instance.defaultRunDirectory
            self.shmPrefix = Instance.defaultShmPrefix
            return
        }
        var trimmed = dir
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.runDirectory = trimmed
        self.shmPrefix = Instance.defaultShmPrefix + "." + Instance.tag(of: trimmed)
    }

    /// True for a private instance selected through `OUROBOROS_RUNDIR`.
    public var isPrivate: Bool { runDirectory != Instance.defaultRunDirectory }

    /// The environment variable that overrides the security directory.
    public static let securityDirectoryKey = "OUROBOROS_SECURITY_DIR"
    /// The reference's security directory (its `/etc/ouroboros/security`).
    public static let defaultSecurityDirectory = "/etc/ouroboros/security"

    /// Where irmd finds certificates, keys and enc.conf files (spec host.md
    /// §7.5): `OUROBOROS_SECURITY_DIR` if set, else `<rundir>/security` for a
    /// private instance and `/etc/ouroboros/security` for the system one.
    public var securityDirectory: String {
        if let v = getenv(Instance.securityDirectoryKey), v.pointee != 0 { return String(cString: v) }
        return isPrivate ? runDirectory + "/security" : Instance.defaultSecurityDirectory
    }

    /// The irmd control socket.
    public var irmSocketPath: String { runDirectory + "/irm.sock" }

    /// The control socket of the IPCP with this pid.
    public func ipcpSocketPath(pid: Int32) -> String { runDirectory + "/ipcp.\(pid).sock" }

    /// A shm object name, with its leading slash.
    public func shmName(_ object: String) -> String { "/" + shmPrefix + "." + object }

    /// The lockfile that marks a running irmd.
    public var lockfileName: String { shmName("lockfile") }
    /// The global shared packet pool.
    public var globalPoolName: String { shmName("gspp") }
    /// The per-user packet pool of `uid`.
    public func userPoolName(uid: UInt32) -> String { shmName("pup.\(uid)") }
    /// The receive ring of process `pid` for flow `flowID`.
    public func ringName(pid: Int32, flowID: Int) -> String { shmName("rbuff.\(pid).\(flowID)") }
    /// The flow set (event queues) of process `pid`.
    public func flowSetName(pid: Int32) -> String { shmName("set.\(pid)") }

    /// The environment a spawned process needs to join this instance.
    public var spawnEnvironment: [String] {
        isPrivate ? ["\(Instance.environmentKey)=\(runDirectory)"] : []
    }

    /// 8 hex digits of FNV-1a over the directory path.
    static func tag(of path: String) -> String {
        var h: UInt32 = 0x811c_9dc5
        for b in path.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
