// FlowBench: flows on one host (direct and through ipcpd-local) against a UDP
// echo over loopback between two processes, all measured in the same run.
//
//   swift build -c release && .build/release/FlowBench [--quick]
//
// It starts private instances (irmd and ipcpd-local from its own build
// directory), runs every measurement in separate processes and prints the
// figures with their ratios to the baseline.
#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--role" { Role.run(Array(arguments.dropFirst())) }
if arguments.first == "--udp-echo" { UDPBaseline.echoServer(port: UInt16(arguments[1])!) }
if arguments.first == "--udp-ping" {
    UDPBaseline.ping(port: UInt16(arguments[1])!, count: Int(arguments[2])!, intervalMicroseconds: Int(arguments[3])!, size: Int(arguments[4])!)
    exit(0)
}

let quick = arguments.contains("--quick")
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let me = CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]

/// One private instance with its irmd and a local layer.
final class Node {
    let dir: String
    let irmd = Process()
    var servers: [Process] = []

    init(directIPC: Bool) throws {
        dir = "/tmp/flowbench-\(getpid())-\(directIPC ? "direct" : "local")"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        irmd.executableURL = URL(fileURLWithPath: binDir + "/irmd")
        irmd.arguments = ["--stdout"]
        irmd.environment = env(directIPC ? [:] : ["OUROBOROS_DISABLE_DIRECT_IPC": "1"])
        irmd.standardOutput = FileHandle.nullDevice
        try irmd.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: dir + "/irm.sock") { usleep(10_000) }
        try irm("ipcp bootstrap type local name lo layer lo")
    }

    func env(_ extra: [String: String] = [:]) -> [String: String] {
        ["OUROBOROS_RUNDIR": dir, "PATH": "/usr/bin:/bin"].merging(extra) { $1 }
    }

    @discardableResult
    func irm(_ line: String) throws -> String {
        try run(binDir + "/irm", line.split(separator: " ").map(String.init))
    }

    /// Runs a command to completion and returns its output.
    func run(_ path: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = env()
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out
    }

    /// Starts a server role bound to `name` (registered in the local layer).
    func server(_ role: String, name: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: me)
        p.arguments = ["--role", role]
        p.environment = env()
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        servers.append(p)
        var seen = ""
        while !seen.contains("READY") {
            let d = pipe.fileHandleForReading.availableData
            if d.isEmpty { break }
            seen += String(decoding: d, as: UTF8.self)
        }
        try irm("reg name \(name) layer lo")
        try irm("bind process \(p.processIdentifier) name \(name)")
        startThread { _ = pipe.fileHandleForReading.readDataToEndOfFile() }
    }

    /// Runs a client role and returns its RESULT fields.
    func client(_ args: [String]) throws -> [String: String] {
        let out = try run(me, ["--role"] + args)
        return parse(out)
    }

    func stop() {
        for s in servers where s.isRunning { kill(s.processIdentifier, SIGKILL) }
        kill(irmd.processIdentifier, SIGTERM)
        irmd.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

func parse(_ out: String) -> [String: String] {
    guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("RESULT ") }) else {
        print("  (failed: \(out.trimmingCharacters(in: .whitespacesAndNewlines)))")
        return [:]
    }
    var fields: [String: String] = [:]
    for kv in line.dropFirst(7).split(separator: " ") {
        let parts = kv.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    return fields
}

func number(_ fields: [String: String], _ key: String) -> Double { Double(fields[key] ?? "") ?? .nan }
func ratio(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%.2f×", a / b) : "-" }
func col(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }

let pings = quick ? 200 : 1000
let floods = quick ? 2000 : 20000
let blastSeconds = quick ? 1.0 : 3.0

// Baseline: UDP echo over loopback between two processes.
let udpPort = UInt16(20000 + getpid() % 20000)
let udpServer = Process()
udpServer.executableURL = URL(fileURLWithPath: me)
udpServer.arguments = ["--udp-echo", String(udpPort)]
udpServer.standardOutput = FileHandle.nullDevice
try udpServer.run()
usleep(200_000)
func udpPing(_ interval: Int) throws -> [String: String] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: me)
    p.arguments = ["--udp-ping", String(udpPort), String(interval == 0 ? floods : pings), String(interval), "64"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return parse(out)
}
let udpInterval = try udpPing(1000)
let udpFlood = try udpPing(0)
kill(udpServer.processIdentifier, SIGKILL)
udpServer.waitUntilExit()

print("FlowBench: \(ProcessInfo.processInfo.activeProcessorCount) CPUs; \(pings) pings at 1 ms, \(floods) flood round trips, \(blastSeconds) s one-way blasts")
print("")
print(col("round trip, 64 B", 34) + col("median µs", 11) + col("p99 µs", 10) + col("avg µs", 10) + col("vs UDP (avg)", 14))
func rttRow(_ label: String, _ f: [String: String], _ base: [String: String]) {
    print(col(label, 34) + col(f["median_us"] ?? "-", 11) + col(f["p99_us"] ?? "-", 10) + col(f["avg_us"] ?? "-", 10)
          + col(ratio(number(f, "avg_us"), number(base, "avg_us")), 14))
}
rttRow("UDP echo, 1 ms interval", udpInterval, udpInterval)
rttRow("UDP echo, flood", udpFlood, udpFlood)

var throughput: [(String, [String: String], Int)] = []
var allocRate: [String: String] = [:]
for direct in [true, false] {
    let node = try Node(directIPC: direct)
    defer { node.stop() }
    let label = direct ? "direct flow" : "ipcpd-local"
    try node.server("echo-server", name: "echo")
    rttRow("\(label), 1 ms interval", try node.client(["ping", "echo", String(pings), "1000", "64"]), udpInterval)
    let flood = try node.client(["ping", "echo", String(floods), "0", "64"])
    rttRow("\(label), flood", flood, udpFlood)
    if let total = flood["total_ms"] { print(col("", 34) + "  flood total \(total) ms for \(floods) round trips") }
    try node.server("sink-server", name: "sink")
    for size in [64, 1400, 8000] {
        let sent = try node.client(["blast", "sink", String(size), String(blastSeconds)])
        throughput.append(("\(label), \(size) B", sent, size))
    }
    if !direct { allocRate = try node.client(["allocs", "echo", quick ? "200" : "1000"]) }
}

print("")
print(col("one way (sender's count)", 34) + col("packets/s", 14) + col("Gbit/s", 10))
for (label, f, size) in throughput {
    let pps = number(f, "sent") / blastSeconds
    print(col(label, 34) + col(String(format: "%.0f", pps), 14) + col(String(format: "%.2f", pps * Double(size) * 8 / 1e9), 10))
}
print("")
print("flow allocations + deallocations through ipcpd-local: \(allocRate["per_second"] ?? "-") per second")
