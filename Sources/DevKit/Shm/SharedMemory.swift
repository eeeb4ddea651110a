#if canImport(Glibc)
import Glibc
#endif

/// One POSIX shared-memory object mapped read-write and `MAP_SHARED`.
///
/// `@unchecked Sendable`: the wrapper itself is immutable after init; what the
/// mapping holds is shared with other processes anyway, so every type built on
/// it synchronises through atomics (or robust mutexes) inside the mapping.
public final class SharedMemory: @unchecked Sendable {
    /// The object's name, with its leading slash.
    public let name: String
    /// Start of the mapping.
    public let base: UnsafeMutableRawPointer
    /// Size of the mapping in bytes.
    public let size: Int

    private init(name: String, base: UnsafeMutableRawPointer, size: Int) {
        self.name = name
        self.base = base
        self.size = size
    }

    deinit { munmap(base, size) }

    /// Creates `name` with `size` zeroed bytes and exactly `mode` (the umask is
    /// not applied), optionally owned by `uid`/`gid` (nil keeps the creator's).
    /// With `replace`, an existing object of that name (left by a crashed
    /// creator) is unlinked first; otherwise it fails with `EEXIST`.
    public static func create(name: String, size: Int, mode: mode_t,
                              uid: uid_t? = nil, gid: gid_t? = nil,
                              replace: Bool = false) throws(OuroError) -> SharedMemory {
        var fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode)
        if fd < 0 && errno == EEXIST && replace {
            shm_unlink(name)
            fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode)
        }
        guard fd >= 0 else { throw OuroError.errno }
        defer { close(fd) }
        let owner = uid ?? UInt32.max
        let group = gid ?? UInt32.max
        guard fchmod(fd, mode) == 0, ftruncate(fd, off_t(size)) == 0,
              (uid == nil && gid == nil) || fchown(fd, owner, group) == 0 else {
            let e = OuroError.errno
            shm_unlink(name)
            throw e
        }
        do {
            return try map(fd: fd, name: name, size: size)
        } catch {
            shm_unlink(name)
            throw error
        }
    }

    /// Opens an existing object and maps all of it. `EACCES` when the caller
    /// may not open it read-write, `ENOENT` when it does not exist.
    public static func open(name: String) throws(OuroError) -> SharedMemory {
        let fd = shm_open(name, O_RDWR | O_CLOEXEC, 0)
        guard fd >= 0 else { throw OuroError.errno }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw OuroError.errno }
        guard st.st_size > 0 else { throw OuroError.invalid }
        return try map(fd: fd, name: name, size: Int(st.st_size))
    }

    /// Removes `name`; true if it existed.
    @discardableResult
    public static func unlink(name: String) -> Bool { shm_unlink(name) == 0 }

    /// Whether an object called `name` exists.
    public static func exists(name: String) -> Bool {
        let fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        if fd >= 0 { close(fd); return true }
        return errno != ENOENT
    }

    private static func map(fd: Int32, name: String, size: Int) throws(OuroError) -> SharedMemory {
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw OuroError.errno }
        return SharedMemory(name: name, base: p, size: size)
    }

    /// A typed pointer `offset` bytes into the mapping.
    @inline(__always)
    func pointer<T: ~Copyable>(_ offset: Int, as type: T.Type) -> UnsafeMutablePointer<T> {
        (base + offset).assumingMemoryBound(to: T.self)
    }
}
