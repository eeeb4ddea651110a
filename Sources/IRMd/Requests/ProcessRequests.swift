import DevKit

extension IRMDaemon {
    /// IRM_PROC_ANNOUNCE: uid and gid come from the socket's peer credentials.
    func announce(_ m: irm_msg, peer: ControlServer.Peer) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.pid > 0 && m.hasProg, .invalid, "Announcement without pid or program.")
        let prog = String(m.prog.prefix(maxNameLength))
        let userPool = !shm.isPrivileged(uid: peer.uid, gid: peer.gid)
        if userPool {
            do {
                try shm.ensureUserPool(uid: peer.uid, gid: peer.gid)
            } catch {
                log.error("Failed to prepare pool for uid \(peer.uid).")
                throw OuroError.failure
            }
        }
        do {
            _ = try registry.addProcess(pid: m.pid, program: prog, uid: peer.uid, gid: peer.gid, usesUserPool: userPool)
        } catch {
            log.error("Failed to add process \(m.pid).")
            throw OuroError.failure
        }
        do {
            try shm.createFlowSet(pid: m.pid)
        } catch {
            log.error("Failed to create the flow set of process \(m.pid).")
            registry.removeProcess(pid: m.pid)
            throw OuroError.failure
        }
        log.info("Process added: \(m.pid) (\(prog)).")
        return IRMDaemon.reply()
    }

    /// IRM_PROC_EXIT: always succeeds.
    func procExit(_ m: irm_msg) -> irm_msg {
        if m.hasPid && registry.process(pid: m.pid) != nil {
            cleanUp(pid: m.pid)
            log.info("Process removed: \(m.pid).")
        }
        return IRMDaemon.reply()
    }
}
