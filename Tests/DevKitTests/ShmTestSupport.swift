#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit
import COuro

/// A private instance for one test, and every shm name the test may create,
/// unlinked when the test ends (also on failure).
final class ShmScope: @unchecked Sendable {
    let instance: Instance
    private var names: [String] = []

    init(_ test: XCTestCase) {
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        instance = Instance(environment: "/tmp/ouroboros-shmtest-\(getpid())-\(tag)")
        test.addTeardownBlock { [self] in cleanup() }
    }

    /// Registers `name` for removal and returns it.
    @discardableResult
    func track(_ name: String) -> String {
        names.append(name)
        return name
    }

    /// A fresh name in this instance, registered for removal.
    func name(_ object: String) -> String { track(instance.shmName(object)) }

    func cleanup() {
        for n in names { SharedMemory.unlink(name: n) }
        names.removeAll()
    }
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<T>(_ expected: OuroError, file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(expected), got a result", file: file, line: line)
    } catch {
        XCTAssertEqual(error as? OuroError, expected, file: file, line: line)
    }
}

/// A ShmPeer helper process (built next to the test bundle), killed at the end
/// of the test if still running.
final class ShmPeer: @unchecked Sendable {
    let pid: pid_t
    private let output: Int32
    private var status: Int32? = nil

    /// The helper's path: the executable targets are built next to the test bundle.
    static var path: String {
        var dir = CommandLine.arguments[0]
        while dir.hasSuffix("/") { dir.removeLast() }
        if let slash = dir.lastIndex(of: "/") { dir = String(dir[..<slash]) }
        if dir.hasSuffix(".xctest/Contents/MacOS") { dir = String(dir.dropLast(".xctest/Contents/MacOS".count)) }
        return dir + "/ShmPeer"
    }

    /// Starts `ShmPeer args…`, as `user` (uid, gid) when given.
    init(_ test: XCTestCase, _ args: [String], as user: (uid_t, gid_t)? = nil) throws {
        let path = Self.path
        guard access(path, X_OK) == 0 else { throw OuroError.noEntry }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw OuroError.errno }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var full = [path]
        if let (u, g) = user { full += ["--as", "\(u):\(g)"] }
        full += args
        let argv = full.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child = pid_t()
        let r = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(fds[1])
        guard r == 0 else {
            close(fds[0])
            throw OuroError(code: r)
        }
        pid = child
        output = fds[0]
        test.addTeardownBlock { [self] in
            if status == nil { kill(pid, SIGKILL); _ = exitStatus(timeoutMilliseconds: 5000) }
            close(output)
        }
    }

    /// Waits for a line on the helper's stdout (its "ready").
    func readLine(timeoutMilliseconds: Int32 = 20_000) -> String? {
        var line = ""
        while true {
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, timeoutMilliseconds) == 1 else { return nil }
            var c: UInt8 = 0
            guard read(output, &c, 1) == 1 else { return nil }
            if c == 10 { return line }
            line.append(Character(UnicodeScalar(c)))
        }
    }

    /// The exit code, or 128 + signal; nil if still running after the timeout.
    func exitStatus(timeoutMilliseconds: Int = 60_000) -> Int32? {
        if let s = status { return s }
        let end = Deadline.after(milliseconds: timeoutMilliseconds)
        while true {
            var st: Int32 = 0
            let r = waitpid(pid, &st, WNOHANG)
            if r == pid {
                let s = couro_wifexited(st) != 0 ? couro_wexitstatus(st) : 128 + couro_wtermsig(st)
                status = s
                return s
            }
            if r < 0 || end.hasPassed { return nil }
            usleep(1000)
        }
    }

    /// SIGKILL and reap.
    func kill9() {
        kill(pid, SIGKILL)
        _ = exitStatus()
    }
}
