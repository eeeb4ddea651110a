import DevKit

extension Registry {
    /// Binds the program at `argv[0]` to `name` (creating both as needed); with
    /// `autostart` the name also keeps the argument vector to start it.
    func bindProgram(argv: [String], name: String, autostart: Bool) throws(RegistryError) {
        guard let path = argv.first, !path.isEmpty, !name.isEmpty else { throw .invalid }
        let prog = basename(path)
        var fresh = NameEntry(name: name, policy: .spillover)
        fresh.applyDefaultPaths(securityDirectory: securityDirectory)
        try update { (s: inout State) throws(RegistryError) in
            if s.names[name] == nil { s.names[name] = fresh }
            var p = s.programs[prog] ?? ProgramEntry(name: prog, path: path)
            if autostart, s.names[name]!.autostart.contains(where: { $0.first == path }) { throw .exists }
            guard !p.names.contains(name) || autostart else { throw .exists }
            if !p.names.contains(name) { p.names.append(name) }
            s.programs[prog] = p
            if autostart { s.names[name]!.autostart.append(argv) }
        }
    }

    /// Unbinds a program (by basename) from `name`, or removes it and its
    /// auto-start entries when `name` is nil.
    func unbindProgram(_ prog: String, name: String?) throws(RegistryError) {
        let prog = basename(prog)
        try update { (s: inout State) throws(RegistryError) in
            guard let p = s.programs[prog] else { throw .notFound }
            let names = name.map { [$0] } ?? p.names
            for n in names where s.names[n] != nil {
                s.names[n]!.autostart.removeAll { basename($0.first ?? "") == prog }
            }
            if let n = name {
                guard p.names.contains(n) else { throw .notFound }
                s.programs[prog]!.names.removeAll { $0 == n }
            } else {
                s.programs[prog] = nil
            }
        }
    }

    /// Binds an announced process to `name` (creating the name as needed). A process
    /// already waiting in accept becomes active for the name at once.
    func bindProcess(pid: Int32, name: String) throws(RegistryError) {
        guard !name.isEmpty else { throw .invalid }
        var fresh = NameEntry(name: name, policy: .spillover)
        fresh.applyDefaultPaths(securityDirectory: securityDirectory)
        try update { (s: inout State) throws(RegistryError) in
            guard s.processes[pid] != nil else { throw .notFound }
            guard !s.processes[pid]!.names.contains(name) else { throw .exists }
            if s.names[name] == nil { s.names[name] = fresh }
            s.processes[pid]!.names.append(name)
            s.names[name]!.processes.append(pid)
            let accepting = s.flows.values.contains { $0.nPid == pid && $0.state == .acceptPending }
            if accepting { Registry.markActive(&s.names[name]!, pid: pid) }
        }
    }

    /// Unbinds a process from `name` (and its active entries), or from every
    /// name when `name` is nil. [ref-quirk] fixed: the reference's no-name
    /// form destroys the process entry, so a running process (an IPCP
    /// included) was forgotten while its flows lived on.
    func unbindProcess(pid: Int32, name: String?) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard let p = s.processes[pid] else { throw .notFound }
            if let n = name, !p.names.contains(n) { throw .notFound }
            for n in name.map({ [$0] }) ?? p.names {
                s.processes[pid]!.names.removeAll { $0 == n }
                s.names[n]?.processes.removeAll { $0 == pid }
                s.names[n]?.active.removeAll { $0 == pid }
            }
        }
    }

    static func markActive(_ name: inout NameEntry, pid: Int32) {
        if name.policy == .roundRobin {
            name.active.append(pid)
        } else {
            name.active.insert(pid, at: 0)
        }
    }
}

/// The last path component.
func basename(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}
