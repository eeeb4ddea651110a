#if canImport(Glibc)
import Glibc
#endif
import DevKit

extension IRMDaemon {
    /// How often the sanitizer looks for dead processes.
    static let sanitizeIntervalMicroseconds: UInt32 = 500_000
    /// SIGTERM → SIGKILL grace at shutdown (`IRMD_PKILL_TIMEOUT`).
    static let killTimeoutMilliseconds = 30_000

    /// Starts the sanitizer thread: dead or zombie processes leave the registry
    /// (spawned children are reaped) with the reference's log line.
    func startSanitizer() {
        startThread { [self] in
            while true {
                usleep(IRMDaemon.sanitizeIntervalMicroseconds)
                sanitize()
            }
        }
    }

    /// One sanitizer pass.
    func sanitize() {
        for pid in registry.spawnedPids() {
            if let exit = Spawner.reap(pid) {
                log.info("Process \(pid) died.")
                log.debug("Child \(pid) ended: \(exit).")
                registry.removeSpawned(pid: pid)
                cleanUp(pid: pid)
            }
        }
        for pid in registry.allPids() where Spawner.isDead(pid) {
            log.info("Process \(pid) died.")
            _ = Spawner.reap(pid)
            cleanUp(pid: pid)
        }
    }

    /// Removes every trace of a process: registry entries, its flow set, the
    /// global-pool blocks it still owned, its IPCP socket file; its allocated
    /// flows go down so that their peers see EFLOWDOWN instead of hanging.
    func cleanUp(pid: Int32) {
        let removal = registry.removeProcess(pid: pid)
        if removal.ipcp != nil { unlink(instance.ipcpSocketPath(pid: pid)) }
        if removal.wasProcess { shm.destroyFlowSet(pid: pid) }
        let reclaimed = shm.reclaim(pid: pid)
        if reclaimed > 0 { log.info("Reclaimed \(reclaimed) packet blocks of process \(pid).") }
        if let uid = removal.idlePoolUID { shm.destroyUserPool(uid: uid) }
        for f in removal.orphanedFlows where !f.gone.contains(pid) {
            let peer = f.nPid == pid ? f.n1Pid : f.nPid
            shm.flowDown(flowID: f.id, pids: [f.nPid, f.n1Pid], notify: peer)
            if f.direct || registry.ipcp(pid: peer) != nil {
                try? deallocate(flowID: f.id, pid: pid, linger: 0)
            }
        }
    }

    /// Shutdown: SIGTERM to every registered process, reap the children within
    /// the grace period, SIGKILL whatever is left.
    func terminateAll() {
        for pid in registry.allPids() where pid != getpid() { kill(pid, SIGTERM) }
        let deadline = Deadline.after(milliseconds: IRMDaemon.killTimeoutMilliseconds)
        while !deadline.hasPassed {
            for pid in registry.spawnedPids() where Spawner.reap(pid) != nil || Spawner.isDead(pid) {
                registry.removeSpawned(pid: pid)
                cleanUp(pid: pid)
            }
            if registry.spawnedPids().isEmpty { break }
            usleep(10_000)
        }
        for pid in registry.spawnedPids() {
            log.warning("Child process \(pid) did not exit, killing it.")
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            cleanUp(pid: pid)
        }
        for pid in registry.allPids() { cleanUp(pid: pid) }
        for f in registry.read({ Array($0.flows.values) }) { dropFlow(f.id) }
        shm.destroyPools()
    }
}
