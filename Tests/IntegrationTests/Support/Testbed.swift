import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// One node of a `Testbed`: a network namespace with a private instance whose
/// irmd, IPCPs and tools all run inside that namespace (`ip netns exec`), and
/// whose `/etc/hosts` is the node's own file `/etc/netns/<namespace>/hosts`
/// (bind-mounted over `/etc/hosts` by `ip netns exec`).
final class TestNode {
    /// The node's name within its testbed ("a", "b", ...).
    let name: String
    /// The network namespace.
    let namespace: String
    /// The node's instance: `run`, `irm`, `spawn`, `startIRMd` go through the namespace.
    let instance: TestInstance

    init(name: String, namespace: String) throws {
        self.name = name
        self.namespace = namespace
        instance = try TestInstance(launcher: [Testbed.ip, "netns", "exec", namespace])
    }

    /// The node's hosts file.
    var hostsPath: String { "/etc/netns/\(namespace)/hosts" }

    /// Adds `address name` to the node's hosts file, in place (the running
    /// processes see the bind-mounted file, so it must keep its inode).
    func addHost(_ address: String, _ hostname: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hostsPath))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data("\(address) \(hostname)\n".utf8))
    }

    /// Maps a name to `address` for a UDP layer: the 32-hex-digit MD5 of the
    /// name, which is what ipcpd-udp4/6 resolve.
    func addUDPName(_ name: String, address: String) throws {
        try addHost(address, HashAlgorithm.md5.digest(name: name).map { String(format: "%02x", $0) }.joined())
    }

    /// Runs a command (absolute path) in the namespace, outside any instance.
    @discardableResult
    func sh(_ command: String, _ arguments: [String]) throws -> CommandResult {
        try Testbed.exec(Testbed.ip, ["netns", "exec", namespace, command] + arguments)
    }

    /// Starts the node's irmd, with `--config config` when given.
    func startIRMd(directIPC: Bool = true, config: String? = nil) throws {
        try instance.startIRMd(arguments: ["--stdout"] + (config.map { ["--config", $0] } ?? []), directIPC: directIPC)
    }

    /// `irm` inside the node, words split on spaces.
    @discardableResult
    func irm(_ line: String) throws -> CommandResult { try instance.irm(line) }

    /// A built tool run to completion inside the node.
    @discardableResult
    func run(_ tool: String, _ arguments: [String]) throws -> CommandResult { try instance.run(tool, arguments) }

    /// A built tool started in the background inside the node.
    func spawn(_ tool: String, _ arguments: [String]) throws -> Process { try instance.spawn(tool, arguments) }
}

/// The two ends of a veth pair between two nodes, with their addresses.
struct TestLink {
    let a: TestNode, b: TestNode
    /// Interface names inside each node.
    let aInterface: String, bInterface: String
    let aIPv4: String, bIPv4: String
    let aIPv6: String, bIPv6: String
}

/// N nodes on one machine, joined by veth pairs (design: one network namespace
/// plus one private instance per node). Namespace names carry the test
/// process's pid, so concurrent runs never collide and a later run removes what
/// a killed run left behind. `tearDown()` (also run on SIGINT/SIGTERM and at
/// exit) stops every process, deletes the namespaces (and so their veths) and
/// removes hosts files, run directories and shm objects.
///
///     let bed = try Testbed(nodes: ["a", "b"])
///     defer { bed.tearDown() }
///     let link = try bed.link("a", "b")
///     try bed["a"].startIRMd()
///     try bed["a"].irm("ipcp bootstrap type udp4 name u layer l ip \(link.aIPv4)")
final class Testbed {
    static let ip = "/usr/sbin/ip"
    /// Namespace names start with this, then the owning pid.
    static let prefix = "ouro-"
    /// One file per node namespace naming its run directory (not in
    /// /etc/netns/<ns>, whose every file `ip netns exec` bind-mounts over /etc).
    static let markers = "/run/ouro-testbed"

    private(set) var nodes: [TestNode] = []
    private var links = 0
    private let id: String
    private var down = false

    /// Creates the nodes. Skips the test unless running as root with iproute2.
    init(nodes names: [String]) throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        guard FileManager.default.isExecutableFile(atPath: Testbed.ip) else { throw XCTSkip("iproute2 is not installed") }
        Testbed.installCleanup()
        Testbed.sweepStale()
        id = "\(getpid())-\(Testbed.nextSerial())"
        Testbed.live.withLock { $0.append(self) }
        do {
            for name in names { try addNode(name) }
        } catch {
            tearDown()
            throw error
        }
    }

    /// The node called `name`.
    subscript(name: String) -> TestNode {
        guard let n = nodes.first(where: { $0.name == name }) else { preconditionFailure("no node \(name)") }
        return n
    }

    private func addNode(_ name: String) throws {
        let ns = "\(Testbed.prefix)\(id)-\(name)"
        try Testbed.check(Testbed.exec(Testbed.ip, ["netns", "add", ns]), "netns add \(ns)")
        let dir = "/etc/netns/\(ns)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/hosts", contents: Data("127.0.0.1 localhost\n::1 localhost\n".utf8))
        let node = try TestNode(name: name, namespace: ns)
        nodes.append(node)
        try FileManager.default.createDirectory(atPath: Testbed.markers, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: Testbed.markers + "/" + ns, contents: Data(node.instance.runDirectory.utf8))
        try Testbed.check(node.sh(Testbed.ip, ["link", "set", "lo", "up"]), "lo up in \(ns)")
    }

    /// Joins two nodes with a veth pair, up, with 10.200.<n>.1|2/24 and
    /// fd00:200:<n>::1|2/64 (no duplicate address detection), n counting links;
    /// `mtu` sets both ends' MTU (default: the kernel's 1500).
    @discardableResult
    func link(_ a: String, _ b: String, mtu: Int? = nil) throws -> TestLink {
        links += 1
        let n = links
        let (na, nb) = (self[a], self[b])
        let (ia, ib) = (String("v\(n)\(b)".prefix(15)), String("v\(n)\(a)".prefix(15)))
        try Testbed.check(Testbed.exec(Testbed.ip, ["link", "add", ia, "netns", na.namespace, "type", "veth",
                                                    "peer", "name", ib, "netns", nb.namespace]), "veth \(a)-\(b)")
        let l = TestLink(a: na, b: nb, aInterface: ia, bInterface: ib,
                         aIPv4: "10.200.\(n).1", bIPv4: "10.200.\(n).2",
                         aIPv6: "fd00:200:\(n)::1", bIPv6: "fd00:200:\(n)::2")
        for (node, dev, v4, v6) in [(na, ia, l.aIPv4, l.aIPv6), (nb, ib, l.bIPv4, l.bIPv6)] {
            try Testbed.check(node.sh(Testbed.ip, ["addr", "add", v4 + "/24", "dev", dev]), "ipv4 on \(dev)")
            try Testbed.check(node.sh(Testbed.ip, ["-6", "addr", "add", v6 + "/64", "dev", dev, "nodad"]), "ipv6 on \(dev)")
            if let mtu {
                try Testbed.check(node.sh(Testbed.ip, ["link", "set", dev, "mtu", String(mtu)]), "mtu \(mtu) on \(dev)")
            }
            try Testbed.check(node.sh(Testbed.ip, ["link", "set", dev, "up"]), "\(dev) up")
        }
        return l
    }

    /// Stops everything and removes every trace of the testbed; safe to call twice.
    func tearDown() {
        guard !down else { return }
        down = true
        for node in nodes {
            node.instance.stop()
            Testbed.removeNamespace(node.namespace)
        }
        Testbed.live.withLock { $0.removeAll { $0 === self } }
    }

    // MARK: - process-wide bookkeeping

    nonisolated(unsafe) private static var serial = 0
    private static let serialLock = NSLock()
    private static func nextSerial() -> Int { serialLock.withLock { serial += 1; return serial } }

    nonisolated(unsafe) static var signalPipe: Int32 = -1

    /// Testbeds not torn down yet, for the exit and signal handlers.
    static let live = LockedList()

    final class LockedList: @unchecked Sendable {
        private let lock = NSLock()
        private var beds: [Testbed] = []
        func withLock<T>(_ body: (inout [Testbed]) -> T) -> T { lock.withLock { body(&beds) } }
    }

    /// Interrupting signals go through this pipe to a thread that tears the
    /// testbeds down. A caught signal (unlike an ignored or blocked one) is
    /// reset to its default in the programs the tests start.
    private static let installOnce: Void = {
        atexit { Testbed.tearDownAll() }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        signalPipe = fds[1]
        for s in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipe, &byte, 1)
            }
            sigaction(s, &action, nil)
        }
        let reader = fds[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(reader, &byte, 1) != 1 {}
            Testbed.tearDownAll()
            exit(128 + Int32(byte))
        }
    }()

    private static func installCleanup() { _ = installOnce }

    static func tearDownAll() {
        for bed in live.withLock({ $0 }) { bed.tearDown() }
    }

    /// Removes the testbed namespaces (and all that belongs to them) left by
    /// test processes that no longer exist.
    static func sweepStale() {
        guard let out = try? exec(ip, ["netns", "list"]).output else { return }
        for line in out.split(separator: "\n") {
            let ns = String(line.split(separator: " ").first ?? "")
            guard ns.hasPrefix(prefix), let pid = Int32(ns.dropFirst(prefix.count).prefix { $0 != "-" }),
                  kill(pid, 0) != 0 && errno == ESRCH else { continue }
            removeNamespace(ns)
        }
    }

    /// Kills what still runs in the node namespace `ns`, deletes it (and so its
    /// veths) and removes its /etc/netns directory, run directory and shm objects.
    static func removeNamespace(_ ns: String) {
        for _ in 0..<50 {
            let pids = ((try? exec(ip, ["netns", "pids", ns]).output) ?? "").split(separator: "\n").compactMap { Int32($0) }
            if pids.isEmpty { break }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        _ = try? exec(ip, ["netns", "del", ns])
        let marker = markers + "/" + ns
        if let runDirectory = try? String(contentsOfFile: marker, encoding: .utf8), runDirectory.hasPrefix("/tmp/") {
            let shm = Instance(environment: runDirectory).shmPrefix + "."
            for object in (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [] where object.hasPrefix(shm) {
                unlink("/dev/shm/" + object)
            }
            try? FileManager.default.removeItem(atPath: runDirectory)
        }
        try? FileManager.default.removeItem(atPath: marker)
        try? FileManager.default.removeItem(atPath: "/etc/netns/\(ns)")
    }

    /// Runs a program to completion and collects its output.
    static func exec(_ path: String, _ arguments: [String]) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    private static func check(_ r: CommandResult, _ what: String) throws {
        guard r.status == 0 else { throw TestbedError(message: "\(what) failed: \(r.output)") }
    }
}

struct TestbedError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
