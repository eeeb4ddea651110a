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

    /// Removes every trace of a process: registry entries, its IPCP socket file.
    func cleanUp(pid: Int32) {
        let removal = registry.removeProcess(pid: pid)
        if removal.ipcp != nil { unlink(instance.ipcpSocketPath(pid: pid)) }
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
    }
}
