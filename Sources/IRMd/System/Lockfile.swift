#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The shm lockfile that marks a running irmd: 4 bytes, the owner's pid.
struct Lockfile {
    let name: String

    enum Outcome: Equatable {
        case created
        /// A previous irmd died without cleaning up; its lock was replaced.
        case recoveredStale(owner: Int32)
        case alreadyRunning(owner: Int32)
    }

    /// Takes the lock for this process.
    func acquire() throws(OuroError) -> Outcome {
        if try create() { return .created }
        let owner = readOwner()
        if owner > 0 && kill(owner, 0) == 0 { return .alreadyRunning(owner: owner) }
        shm_unlink(name)
        guard try create() else { throw OuroError.exists }
        return .recoveredStale(owner: owner)
    }

    private func create() throws(OuroError) -> Bool {
        let old = umask(0)
        defer { umask(old) }
        let fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o666)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw OuroError.errno
        }
        defer { close(fd) }
        var pid = getpid()
        guard ftruncate(fd, 4) == 0, pwrite(fd, &pid, 4, 0) == 4 else { throw OuroError.errno }
        return true
    }

    /// The pid stored in the lockfile, or 0.
    func readOwner() -> Int32 {
        let fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var pid: Int32 = 0
        return pread(fd, &pid, 4, 0) == 4 ? pid : 0
    }

    /// Removes the lock if this process owns it or its owner is dead.
    func release() {
        let owner = readOwner()
        if owner == getpid() || owner <= 0 || kill(owner, 0) != 0 { shm_unlink(name) }
    }
}
