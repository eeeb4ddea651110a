#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit

/// Starts child processes the way irmd does: posix_spawn, a chosen environment,
/// and the signals irmd blocks left blocked in the child (spec host.md §1.4).
enum Spawner {
    /// Spawns `argv[0]` with `argv` and `environment`; returns the pid.
    static func spawn(argv: [String], environment: [String]) throws(OuroError) -> Int32 {
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cenv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            cargs.forEach { free($0) }
            cenv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, argv[0], nil, nil, &cargs, &cenv)
        guard r == 0 else { throw OuroError(code: r) }
        return pid
    }

    /// How a child ended.
    enum Exit: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Reaps `pid` if it has ended (never blocks); nil while it runs or when it is
    /// not our child.
    static func reap(_ pid: Int32) -> Exit? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        if couro_wifsignaled(status) != 0 { return .signaled(couro_wtermsig(status)) }
        return .exited(couro_wexitstatus(status))
    }

    /// True if `pid` is gone or a zombie (a zombie still answers kill(pid, 0)).
    static func isDead(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let f = fopen("/proc/\(pid)/stat", "re") else { return kill(pid, 0) != 0 && errno == ESRCH }
        defer { fclose(f) }
        var buf = [CChar](repeating: 0, count: 512)
        guard fgets(&buf, 512, f) != nil else { return false }
        let line = String(cString: buf)
        guard let close = line.lastIndex(of: ")") else { return false }
        let rest = line[line.index(after: close)...].drop(while: { $0 == " " })
        return rest.first == "Z" || rest.first == "X"
    }

    /// Where the `ipcpd-*` executables are: next to this executable first, then
    /// the install prefix.
    static func ipcpExecutable(_ name: String) -> String? {
        var candidates: [String] = []
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, Int(PATH_MAX))
        if n > 0 {
            let me = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = me.lastIndex(of: "/") { candidates.append(String(me[..<slash]) + "/" + name) }
        }
        candidates += ["/usr/local/sbin/" + name, "/usr/sbin/" + name]
        return candidates.first { access($0, X_OK) == 0 }
    }
}
