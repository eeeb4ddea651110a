import DevKit

extension IRMDaemon {
    /// IRM_BIND_PROGRAM: `exec` is the argument vector followed by an empty sentinel.
    func bindProgram(_ m: irm_msg) throws(OuroError) -> irm_msg {
        var argv = m.exec
        if argv.last == "" { argv.removeLast() }
        try require(m.hasName && !argv.isEmpty && !argv[0].isEmpty, .invalid, "Bind program request without program or name.")
        try require(m.name.utf8.count <= maxNameLength, .invalid, "Invalid name length \(m.name.utf8.count).")
        do {
            try registry.bindProgram(argv: argv, name: m.name, autostart: m.opts & 1 != 0)
        } catch {
            log.error("Failed to bind program \(argv[0]) to name \(m.name)")
            throw OuroError.failure
        }
        log.info("Bound program \(argv[0]) to name \(m.name).")
        return IRMDaemon.reply()
    }

    /// IRM_UNBIND_PROGRAM.
    func unbindProgram(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasProg, .invalid, "Unbind program request without a program.")
        let name: String? = m.hasName ? m.name : nil
        do {
            try registry.unbindProgram(m.prog, name: name)
        } catch {
            log.error(name.map { "Failed to unbind \(m.prog) from \($0)" } ?? "Failed to unbind \(m.prog).")
            throw OuroError.failure
        }
        log.info(name.map { "Name \($0) unbound for \(m.prog)." } ?? "Program \(m.prog) unbound.")
        return IRMDaemon.reply()
    }

    /// IRM_BIND_PROCESS: waits briefly for the process to announce itself.
    func bindProcess(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.hasName && !m.name.isEmpty, .invalid, "Bind process request without pid or name.")
        try require(m.name.utf8.count <= maxNameLength, .invalid, "Invalid name length \(m.name.utf8.count).")
        guard registry.waitForProcess(pid: m.pid, deadline: .after(milliseconds: 10)) else {
            log.error("Process \(m.pid) does not exist.")
            throw OuroError.failure
        }
        do {
            try registry.bindProcess(pid: m.pid, name: m.name)
        } catch {
            log.error("Failed to add name \(m.name) to process \(m.pid).")
            throw OuroError.failure
        }
        log.info("Bound process \(m.pid) to name \(m.name).")
        return IRMDaemon.reply()
    }

    /// IRM_UNBIND_PROCESS.
    func unbindProcess(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid, .invalid, "Unbind process request without a pid.")
        let name: String? = m.hasName ? m.name : nil
        do {
            try registry.unbindProcess(pid: m.pid, name: name)
        } catch {
            log.error(name.map { "Failed to unbind \(m.pid) from \($0)" } ?? "Failed to unbind \(m.pid).")
            throw OuroError.failure
        }
        log.info(name.map { "Name \($0) unbound for process \(m.pid)." } ?? "Process \(m.pid) unbound.")
        return IRMDaemon.reply()
    }
}
