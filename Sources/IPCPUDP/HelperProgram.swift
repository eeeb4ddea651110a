#if canImport(Glibc)
import Glibc
#endif
import COuro

/// Runs an external program (nsupdate, nslookup) the way the reference does:
/// an empty environment, optional text on its standard input, its standard
/// output collected.
enum HelperProgram {
    /// The first of `candidates` that is executable.
    static func find(_ candidates: [String]) -> String? {
        candidates.first { access($0, X_OK) == 0 }
    }

    /// Runs `path` with `arguments`; returns its exit status (-1 if it did not
    /// exit normally) and what it printed (at most `limit` bytes), or nil if
    /// it could not be started.
    static func run(_ path: String, _ arguments: [String], input: String? = nil,
                    limit: Int = 8192) -> (status: Int32, output: String)? {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { return nil }
        guard pipe(&fromChild) == 0 else {
            toChild.forEach { close($0) }
            return nil
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, &envp)
        close(toChild[0])
        close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1])
            close(fromChild[0])
            return nil
        }
        if let input {
            _ = input.withCString { write(toChild[1], $0, strlen($0)) }
        }
        close(toChild[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while output.count < limit {
            let n = read(fromChild[0], &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            output += chunk[0..<n]
        }
        close(fromChild[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = couro_wifexited(status) != 0 ? couro_wexitstatus(status) : -1
        return (code, String(decoding: output.prefix(limit), as: UTF8.self))
    }
}
