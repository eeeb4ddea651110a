import DevKit

extension Registry {
    /// Adds an announced process and binds it to the names of its program.
    /// Returns whether the uid needs a per-user pool that did not exist yet.
    func addProcess(pid: Int32, program: String, uid: UInt32, gid: UInt32, usesUserPool: Bool) throws(RegistryError) -> Bool {
        try update { (s: inout State) throws(RegistryError) -> Bool in
            guard s.processes[pid] == nil else { throw .exists }
            var p = ProcessEntry(pid: pid, program: program, uid: uid, gid: gid)
            for n in s.programs[program]?.names ?? [] where s.names[n] != nil {
                p.names.append(n)
                s.names[n]!.processes.append(pid)
            }
            s.processes[pid] = p
            guard usesUserPool else { return false }
            let users = s.poolUsers[uid, default: 0]
            s.poolUsers[uid] = users + 1
            return users == 0
        }
    }

    func process(pid: Int32) -> ProcessEntry? { read { $0.processes[pid] } }

    /// Waits up to `deadline` for `pid` to announce itself.
    func waitForProcess(pid: Int32, deadline: Deadline) -> Bool {
        wait(until: deadline) { $0.processes[pid] != nil }
    }

    /// What removing a process left to clean up outside the registry.
    struct Removal: Sendable, Equatable {
        var wasProcess = false
        var ipcp: IPCPEntry?
        /// A per-user pool nobody uses any more.
        var idlePoolUID: UInt32?
        /// Flows through the dead process (as IPCP or peer) that were allocated.
        var orphanedFlows: [FlowEntry] = []
        /// Pending flows that were cancelled.
        var cancelledFlows: [FlowEntry] = []
    }

    /// Removes a process (and the IPCP it was): unbinds it from every name,
    /// cancels its pending flows and returns what else needs cleaning.
    @discardableResult
    func removeProcess(pid: Int32) -> Removal {
        (try? update { (s: inout State) throws(RegistryError) -> Removal in
            var r = Removal()
            if let p = s.processes.removeValue(forKey: pid) {
                r.wasProcess = true
                for n in p.names {
                    s.names[n]?.processes.removeAll { $0 == pid }
                }
                if let count = s.poolUsers[p.uid] {
                    if count <= 1 {
                        s.poolUsers[p.uid] = nil
                        r.idlePoolUID = p.uid
                    } else {
                        s.poolUsers[p.uid] = count - 1
                    }
                }
            }
            for n in s.names.keys { s.names[n]!.active.removeAll { $0 == pid } }
            r.ipcp = s.ipcps.removeValue(forKey: pid)
            s.spawned.remove(pid)
            for (id, f) in s.flows where f.nPid == pid || f.n1Pid == pid {
                switch f.state {
                case .initial, .allocPending, .acceptPending:
                    s.flows[id]!.state = .deallocated
                    r.cancelledFlows.append(f)
                case .allocated, .deallocPending:
                    r.orphanedFlows.append(f)
                case .deallocated:
                    break
                }
            }
            return r
        }) ?? Removal()
    }

    /// Every registered pid (processes and IPCPs).
    func allPids() -> [Int32] {
        read { s in Array(Set(s.processes.keys).union(s.ipcps.keys)).sorted() }
    }
}
