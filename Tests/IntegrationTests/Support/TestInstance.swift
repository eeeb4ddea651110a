import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The directory holding the built executables (next to the test bundle).
let buildDirectory: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
        while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
    }
    return dir.path
}()

/// What a finished command printed and returned.
struct CommandResult {
    let status: Int32
    let output: String
}

/// A private Ouroboros instance for one test: its own run directory, its own
/// irmd, and every process it starts stopped at the end, even on failure.
final class TestInstance {
    let runDirectory: String
    let instance: Instance
    private(set) var irmd: Process?
    private var children: [Process] = []
    let logPath: String
    /// The command every process of this instance is started through (empty:
    /// directly), e.g. `ip netns exec NS` for a testbed node.
    let launcher: [String]

    init(_ label: String = #function, launcher: [String] = []) throws {
        let dir = "/tmp/ouro-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        runDirectory = dir
        instance = Instance(environment: dir)
        logPath = dir + "/irmd.log"
        self.launcher = launcher
    }

    /// A process that runs the built `tool` with `arguments` through the launcher.
    func process(_ tool: String, _ arguments: [String]) -> Process {
        let p = Process()
        let path = tool.hasPrefix("/") ? tool : buildDirectory + "/" + tool
        if let first = launcher.first {
            p.executableURL = URL(fileURLWithPath: first)
            p.arguments = Array(launcher.dropFirst()) + [path] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
        }
        p.environment = environment
        return p
    }

    /// An instance with no irmd (for tests of what happens without one).
    static func offline() -> TestInstance { try! TestInstance() }

    /// The environment of every process of this instance.
    var environment: [String: String] {
        ["OUROBOROS_RUNDIR": runDirectory, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]
    }

    /// Starts irmd and waits until its socket answers; `directIPC` false makes
    /// every flow go through an IPCP.
    func startIRMd(arguments: [String] = ["--stdout"], directIPC: Bool = true) throws {
        let p = process("irmd", arguments)
        p.environment = environment.merging(directIPC ? [:] : ["OUROBOROS_DISABLE_DIRECT_IPC": "1"]) { $1 }
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        p.standardOutput = log
        p.standardError = log
        try p.run()
        irmd = p
        let deadline = Deadline.after(milliseconds: 10_000)
        while !deadline.hasPassed {
            if (try? ControlChannel.irmd(irmRequest(.irmListNames), instance: instance)) != nil { return }
            usleep(20_000)
        }
        throw XCTSkip("irmd did not start: \(irmdLog)")
    }

    /// What irmd logged so far.
    var irmdLog: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends one request to this instance's irmd.
    func send(_ msg: irm_msg) throws -> irm_msg { try ControlChannel.irmd(msg, instance: instance) }

    /// Runs a built tool (`irm`, `oping`, ...) to completion.
    @discardableResult
    func run(_ tool: String, _ arguments: [String], timeout: TimeInterval = 30) throws -> CommandResult {
        let p = process(tool, arguments)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// `irm` with words split on spaces.
    @discardableResult
    func irm(_ line: String) throws -> CommandResult {
        try run("irm", line.split(separator: " ").map(String.init))
    }

    /// Starts a tool in the background; it is stopped at `stop()`. Its output
    /// goes to `<rundir>/<tool>.<n>.log` (see `output(of:)`).
    func spawn(_ tool: String, _ arguments: [String]) throws -> Process {
        let p = process(tool, arguments)
        let path = runDirectory + "/\(tool.split(separator: "/").last ?? "tool").\(children.count).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        p.standardOutput = log
        p.standardError = log
        try p.run()
        children.append(p)
        outputs[p.processIdentifier] = path
        return p
    }

    private var outputs: [Int32: String] = [:]

    /// What a spawned tool printed so far.
    func output(of p: Process) -> String {
        outputs[p.processIdentifier].flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }

    /// Waits until a spawned tool printed `text`.
    func waitForOutput(_ p: Process, _ text: String, seconds: Double = 10) -> Bool {
        eventually(seconds) { output(of: p).contains(text) }
    }

    /// Stops irmd (SIGTERM, then SIGKILL) and every child, and returns irmd's exit status.
    @discardableResult
    func stop() -> Int32? {
        for c in children where c.isRunning { kill(c.processIdentifier, SIGKILL); c.waitUntilExit() }
        children.removeAll()
        guard let p = irmd else { return nil }
        irmd = nil
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Deadline.after(milliseconds: 40_000)
        while p.isRunning && !deadline.hasPassed { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Stops everything and removes the run directory.
    func tearDown() {
        stop()
        try? FileManager.default.removeItem(atPath: runDirectory)
    }

    /// The shm objects of this instance that exist now.
    var shmObjects: [String] {
        let prefix = instance.shmPrefix + "."
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.hasPrefix(prefix) }
    }
}

/// An irm_msg with just a code.
func irmRequest(_ code: irm_msg_code) -> irm_msg {
    var m = irm_msg()
    m.code = code
    return m
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Deadline.after(milliseconds: Int(seconds * 1000))
    while !deadline.hasPassed {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// The pids of the direct children of `pid` (zombies included), from /proc.
func childPids(of pid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { p in
        guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && Int32(fields[1]) == pid
    }
}

/// A test case with one private instance per test, its irmd running.
class NodeTestCase: XCTestCase {
    var node: TestInstance!

    override func setUpWithError() throws {
        node = try TestInstance()
        try node.startIRMd()
    }

    override func tearDown() {
        node?.tearDown()
    }
}
