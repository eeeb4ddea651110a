#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation
import Synchronization
import XCTest

/// A fresh private directory under /tmp, removed by `remove()`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/ipcpkit.XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Plays irmd of a private instance: serves `irm.sock`, records every request
/// and answers with `answer` (default: IRM_REPLY, result 0).
final class FakeIRMd: Sendable {
    let directory: String
    let instance: Instance
    private let server: ControlServer
    private let received = Mutex<[irm_msg]>([])
    private let signal = ConditionSignal()

    init(answer: @escaping @Sendable (irm_msg) -> irm_msg = { _ in FakeIRMd.ok() }) throws {
        directory = makeTemporaryDirectory()
        instance = Instance(environment: directory)
        server = try ControlServer(path: instance.irmSocketPath, minWorkers: 2)
        server.start(handler: { [weak self] bytes, _ in
            guard let self, let request = try? irm_msg(serializedBytes: bytes) else { return nil }
            self.received.withLock { $0.append(request) }
            self.signal.broadcast()
            return try? answer(request).serializedBytes()
        }, onReject: { _ in })
    }

    /// IRM_REPLY with `result`.
    static func ok(_ result: Int32 = 0) -> irm_msg {
        var reply = irm_msg()
        reply.code = .irmReply
        reply.result = result
        return reply
    }

    /// The requests received so far with this code.
    func requests(_ code: irm_msg_code) -> [irm_msg] {
        received.withLock { list in list.filter { $0.code == code } }
    }

    /// Waits until `count` requests with this code arrived; returns the last one.
    func waitFor(_ code: irm_msg_code, count: Int = 1, seconds: Int = 20) -> irm_msg? {
        var found: irm_msg?
        signal.wait(until: .after(milliseconds: seconds * 1000)) {
            let list = requests(code)
            found = list.count >= count ? list.last : nil
            return found != nil
        }
        return found
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A child process started with posix_spawn and an explicit environment.
struct Child {
    let pid: pid_t

    /// Starts `argv[0]` with `environment`; stdout and stderr go to `output`.
    static func spawn(_ argv: [String], environment: [String], output: String) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard r == 0 else { throw OuroError(code: r) }
        return Child(pid: pid)
    }

    /// Waits up to `seconds` for the child to end; its wait status, or nil if still running.
    func wait(seconds: Double) -> Int32? {
        let deadline = Deadline.after(milliseconds: Int(seconds * 1000))
        repeat {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return status }
            if r < 0 { return nil }
            usleep(10_000)
        } while !deadline.hasPassed
        return nil
    }

    /// SIGKILL and reap (harmless once the child is gone).
    func killAndReap() {
        if kill(pid, 0) == 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// The directory of the test bundle, where SwiftPM also puts the executables.
var buildDirectory: String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    precondition(n > 0, "readlink /proc/self/exe failed")
    let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(path[..<path.lastIndex(of: "/")!])
}

/// Starts the IPCP daemon `program` from the build directory in `irmd`'s
/// instance, with this process as its irmd; returns the child and its log file.
func spawnIPCP(_ program: String, name: String, with irmd: FakeIRMd) throws -> (Child, String) {
    let executable = buildDirectory + "/" + program
    XCTAssertEqual(access(executable, X_OK), 0, "\(executable) is built")
    let output = irmd.directory + "/\(program).log"
    let child = try Child.spawn([executable, String(getpid()), name],
                                environment: ["OUROBOROS_RUNDIR=\(irmd.directory)", "OUROBOROS_LOG_LEVEL=debug"],
                                output: output)
    return (child, output)
}

/// An `ipcp_msg` request with `code`.
func request(_ code: ipcp_msg_code, _ fill: (inout ipcp_msg) -> Void = { _ in }) -> ipcp_msg {
    var m = ipcp_msg()
    m.code = code
    fill(&m)
    return m
}

/// A bootstrap configuration for `type` in layer `layer` with hash `algorithm`.
func configuration(_ type: IPCPType, layer: String, algorithm: HashAlgorithm) -> ipcp_config_msg {
    var info = layer_info_msg()
    info.name = layer
    info.dirHashAlgo = algorithm.rawValue
    var conf = ipcp_config_msg()
    conf.ipcpType = type.rawValue
    conf.layerInfo = info
    return conf
}

/// The shared-memory objects irmd would create for the IPCP under test: the
/// global pool, the flow sets of the processes involved, and flow rings.
final class DataPathObjects: Sendable {
    let instance: Instance
    let pids: [Int32]
    private let rings = Mutex<[String]>([])

    init(instance: Instance, pids: [Int32]) throws {
        self.instance = instance
        self.pids = pids
        _ = try PacketPool.createGlobal(in: instance)
        for pid in pids { _ = try FlowSet.create(in: instance, pid: pid) }
    }

    func createRings(flowID: Int, pids: [Int32]) throws {
        for pid in pids {
            _ = try RingBuffer.create(in: instance, pid: pid, flowID: flowID)
            rings.withLock { $0.append(instance.ringName(pid: pid, flowID: flowID)) }
        }
    }

    func destroy() {
        for name in rings.withLock({ $0 }) { RingBuffer.destroy(name: name) }
        for pid in pids { FlowSet.destroy(name: instance.flowSetName(pid: pid)) }
        PacketPool.destroy(name: instance.globalPoolName)
    }
}
