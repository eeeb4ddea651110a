import DevKit

extension Registry {
    /// Records a freshly spawned IPCP in state INIT.
    func addIPCP(pid: Int32, type: IPCPType, name: String) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.ipcps[pid] == nil else { throw .exists }
            s.ipcps[pid] = IPCPEntry(pid: pid, type: type, name: name)
            s.spawned.insert(pid)
        }
    }

    /// IPCP_CREATE_R: the IPCP reports its state (BOOT).
    func ipcpCreated(pid: Int32, state: IPCPState) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.ipcps[pid] != nil else { throw .notFound }
            s.ipcps[pid]!.state = state
        }
    }

    /// Waits until the IPCP left state INIT; false on timeout or when it vanished.
    func waitForBoot(pid: Int32, deadline: Deadline) -> Bool {
        _ = wait(until: deadline) { s in s.ipcps[pid].map { $0.state != .initial } ?? true }
        return read { $0.ipcps[pid].map { $0.state == .boot } ?? false }
    }

    /// Stores the layer an IPCP bootstrapped into or enrolled in.
    func setLayer(pid: Int32, name: String, hash: HashAlgorithm) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.ipcps[pid] != nil else { throw .notFound }
            s.ipcps[pid]!.layer = name
            s.ipcps[pid]!.hashAlgorithm = hash
        }
    }

    func ipcp(pid: Int32) -> IPCPEntry? { read { $0.ipcps[pid] } }

    /// IPCPs in the reference's order: by type, then pid.
    func ipcpList() -> [IPCPEntry] {
        read { s in
            s.ipcps.values.sorted { ($0.type.rawValue, $0.pid) < ($1.type.rawValue, $1.pid) }
        }
    }

    /// The first IPCP (in `ipcpList` order) in the layer named `layer`.
    func ipcp(layer: String) -> IPCPEntry? {
        ipcpList().first { $0.isEnrolled && $0.layer == layer }
    }

    /// The pids irmd spawned and has not reaped yet.
    func spawnedPids() -> [Int32] { read { $0.spawned.sorted() } }

    /// Records a child irmd started (an auto-started program), to reap it later.
    func addSpawned(pid: Int32) {
        _ = try? update { (s: inout State) throws(RegistryError) in s.spawned.insert(pid) }
    }

    /// Forgets a spawned child (after reaping it).
    func removeSpawned(pid: Int32) {
        _ = try? update { (s: inout State) throws(RegistryError) in s.spawned.remove(pid) }
    }
}
