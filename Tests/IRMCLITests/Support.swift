import DevKit
import Foundation
import IRMCLI

/// Answers each request with the next scripted reply (or a bare success when
/// the script runs out) and records what was sent.
final class ScriptedTransport: IRMTransport {
    private(set) var requests: [irm_msg] = []
    private var replies: [irm_msg]
    private let failing: Bool

    init(_ replies: [irm_msg] = [], failing: Bool = false) {
        self.replies = replies
        self.failing = failing
    }

    func send(_ request: irm_msg) throws(OuroError) -> irm_msg {
        requests.append(request)
        if failing { throw .irmd }
        return replies.isEmpty ? reply() : replies.removeFirst()
    }

    /// The requests as lowercase hex.
    var requestHex: [String] {
        requests.map { try! Array($0.serializedBytes() as [UInt8]).hexString }
    }
}

/// A reply with `result` and optional lists.
func reply(result: Int32 = 0, ipcps: [ipcp_list_msg] = [], names: [name_info_msg] = []) -> irm_msg {
    var m = irm_msg()
    m.code = .irmReply
    m.result = result
    m.ipcps = ipcps
    m.names = names
    return m
}

func ipcpEntry(_ pid: UInt32, _ type: IPCPType, _ name: String, _ layer: String = notEnrolledLayer,
               hash: UInt32 = 1) -> ipcp_list_msg {
    var e = ipcp_list_msg()
    e.pid = pid
    e.type = type.rawValue
    e.name = name
    e.layer = layer
    e.hashAlgo = hash
    return e
}

func nameEntry(_ name: String, _ policy: UInt32) -> name_info_msg {
    var n = name_info_msg()
    n.name = name
    n.polLb = policy
    n.skey = ""
    n.scrt = ""
    n.ckey = ""
    n.ccrt = ""
    return n
}

/// A deterministic system: a few files, a PATH and live pids.
struct FakeEnvironment: IRMEnvironment {
    var files: Set<String> = [
        "/usr/local/bin/oping", "/usr/local/bin/ocbr", "/usr/local/bin/oecho", "/usr/bin/plain",
        "/tmp/vectors/creds/server/enc.conf", "/tmp/vectors/creds/server/crt.pem",
        "/tmp/vectors/creds/server/key.pem", "/tmp/vectors/creds/client/enc.conf",
        "/tmp/vectors/creds/client/crt.pem", "/tmp/vectors/creds/client/key.pem",
    ]
    var executables: Set<String> = ["/usr/local/bin/oping", "/usr/local/bin/ocbr", "/usr/local/bin/oecho"]
    var searchPath: String? = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"
    var livePIDs: Set<Int32> = [20957]
    /// Relative names that resolve (as if in the working directory).
    var links: [String: String] = [:]

    func realPath(_ path: String) throws(OuroError) -> String {
        if let target = links[path] { return target }
        guard files.contains(path) else { throw .noEntry }
        return path
    }

    func access(_ path: String) -> ProgramAccess {
        guard files.contains(path) else { return .missing }
        return executables.contains(path) ? .executable : .notExecutable
    }

    func processExists(_ pid: Int32) -> Bool { livePIDs.contains(pid) }
}

/// Collects what `irm` prints.
final class CapturedOutput: IRMOutput {
    private(set) var out = ""
    private(set) var err = ""

    func write(_ text: String) { out += text }
    func writeError(_ text: String) { err += text }
}

/// One run of the CLI against scripted replies.
struct Run {
    let status: Int32
    let requests: [irm_msg]
    let hex: [String]
    let out: String
    let err: String

    init(_ line: String, replies: [irm_msg] = [], environment: FakeEnvironment = FakeEnvironment(),
         failing: Bool = false) {
        self.init(line.split(separator: " ").map(String.init), replies: replies, environment: environment,
                  failing: failing)
    }

    init(_ argv: [String], replies: [irm_msg] = [], environment: FakeEnvironment = FakeEnvironment(),
         failing: Bool = false) {
        let transport = ScriptedTransport(replies, failing: failing)
        let output = CapturedOutput()
        status = IRMCommandLine.run(arguments: argv, transport: transport, environment: environment, output: output)
        requests = transport.requests
        hex = transport.requestHex
        out = output.out
        err = output.err
    }
}
