import DevKit
import Glibc

/// What a path names, as the `irm` library checks a program (`stat` and the
/// owner's execute bit).
public enum ProgramAccess: Sendable {
    case missing
    case notExecutable
    case executable
}

/// The parts of the system `irm` consults besides the IRMd, injectable so that
/// commands are deterministic under test.
public protocol IRMEnvironment {
    /// `realpath(3)` of `path`; the errno as an `OuroError` on failure.
    func realPath(_ path: String) throws(OuroError) -> String
    /// Whether `path` exists and is executable by its owner.
    func access(_ path: String) -> ProgramAccess
    /// `$PATH`, nil when unset.
    var searchPath: String? { get }
    /// Whether `kill(pid, 0)` succeeds.
    func processExists(_ pid: Int32) -> Bool
}

/// The real system.
public struct SystemEnvironment: IRMEnvironment {
    public init() {}

    public func realPath(_ path: String) throws(OuroError) -> String {
        guard let resolved = realpath(path, nil) else { throw OuroError.errno }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func access(_ path: String) -> ProgramAccess {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return info.st_mode & S_IXUSR != 0 ? .executable : .notExecutable
    }

    public var searchPath: String? {
        getenv("PATH").map { String(cString: $0) }
    }

    public func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0
    }
}

extension IRMEnvironment {
    /// The program the IRMd should start for `program`: the path itself when it
    /// contains a `/` (or `PATH` is empty), else the first executable
    /// `<dir>/<program>` along `PATH`. Throws `.noEntry` when not found,
    /// `.permission` when only non-executable candidates exist, `.invalid` for a
    /// relative `PATH` entry — the library's checks (spec host.md §2.5).
    func resolveProgram(_ program: String) throws(OuroError) -> String {
        guard let path = searchPath else { throw .noEntry }
        if path.isEmpty || program.contains("/") {
            switch access(program) {
            case .missing: throw .noEntry
            case .notExecutable: throw .permission
            case .executable: return program
            }
        }
        var permissionDenied = false
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            guard dir.hasPrefix("/") else { throw .invalid }
            let candidate = dir + "/" + program
            switch access(candidate) {
            case .missing: continue
            case .notExecutable: permissionDenied = true
            case .executable: return candidate
            }
        }
        throw permissionDenied ? .permission : .noEntry
    }
}
