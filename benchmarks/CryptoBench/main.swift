// CryptoBench: what OAP authentication and per-packet encryption cost, in one
// run, through ipcpd-local in a private instance:
//   - flow allocations (+ deallocations) per second, after a warm-up: no
//     credentials, ECDSA P-256 certificates + X25519, and ML-KEM-768;
//   - echo throughput with 1400-byte packets (16 in flight; both ends encrypt
//     and decrypt every packet): unencrypted, aes-256-gcm, chacha20-poly1305.
//
//   swift build -c release && .build/release/CryptoBench [--quick]
#if canImport(Glibc)
import Glibc
#endif
import CryptoTestSupport
import DevKit
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let me = CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0]
                                                 : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
let binDir = URL(fileURLWithPath: me).deletingLastPathComponent().path

func result(_ fields: [(String, String)]) -> Never {
    print("RESULT " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    fflush(nil)
    exit(0)
}

// MARK: roles (this executable with --role ...)

if arguments.first == "--role" {
    do throws(OuroError) {
        switch arguments[1] {
        case "echo-server":
            try OuroborosProcess.start()
            print("READY")
            fflush(nil)
            while true {
                let flow = try Flow.accept()
                startThread {
                    var buf = [UInt8](repeating: 0, count: 65536)
                    while true {
                        do {
                            let n = try buf.withUnsafeMutableBytes { try flow.read(into: $0) }
                            try buf.withUnsafeBytes { try flow.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                        } catch {
                            try? flow.deallocate()
                            return
                        }
                    }
                }
            }
        case "allocs":
            let count = Int(arguments[3])!
            let start = Deadline.now.nanoseconds
            for _ in 0..<count { try Flow.allocate(to: arguments[2], timeout: .seconds(10)).deallocate() }
            result([("per_second", String(format: "%.1f", Double(count) * 1e9 / Double(Deadline.now.nanoseconds - start)))])
        case "echo-throughput":
            let flow = try Flow.allocate(to: arguments[2], timeout: .seconds(10))
            try flow.setReceiveTimeout(.seconds(5))
            let seconds = Double(arguments[3])!, window = 16, payload = [UInt8](repeating: 0xa5, count: 1400)
            let readSize = 2048
            for _ in 0..<window { try flow.write(payload) }
            var echoed = 0
            let start = Deadline.now.nanoseconds, end = start + UInt64(seconds * 1e9)
            while Deadline.now.nanoseconds < end {
                _ = try flow.read(maxLength: readSize)
                echoed += 1
                try flow.write(payload)
            }
            let elapsed = Double(Deadline.now.nanoseconds - start) / 1e9
            try flow.deallocate()
            result([("pps", String(format: "%.0f", Double(echoed) / elapsed)),
                    ("mbps", String(format: "%.1f", Double(echoed * 1400 * 8) / elapsed / 1e6))])
        default:
            print("FAILED unknown role")
            exit(1)
        }
    } catch {
        print("FAILED \(arguments[1]): \(error)")
        exit(1)
    }
}

// MARK: the run

let quick = arguments.contains("--quick")
let allocations = quick ? 50 : 300
let seconds = quick ? 1.0 : 3.0
let dir = "/tmp/cryptobench-\(getpid())"
let security = dir + "/security"
try? FileManager.default.removeItem(atPath: dir)
try FileManager.default.createDirectory(atPath: security, withIntermediateDirectories: true)
let env = ["OUROBOROS_RUNDIR": dir, "PATH": "/usr/bin:/bin"]

// Credentials and configurations, before irmd loads its trust store.
let pki = try TestPKI()
try pki.install(into: security)
try pki.leaf("server", cn: "alloc.ecdsa")
try pki.leaf("client", cn: "bench.client")
try pki.install(leaf: "server", into: security, side: "server", name: "alloc.ecdsa")
try pki.install(leaf: "client", into: security, side: "client", name: "alloc.ecdsa")
let configs = [("alloc.ecdsa", "kex = X25519\n"), ("alloc.mlkem", "kex = ML-KEM-768\n"),
               ("echo.aes", "kex = X25519\ncipher = aes-256-gcm\n"), ("echo.chacha", "kex = X25519\ncipher = chacha20-poly1305\n")]
for (name, text) in configs {
    for side in ["client", "server"] { try writeEncConf(text, security: security, side: side, name: name) }
}

func run(_ path: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.environment = env
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return out
}

func irm(_ line: String) throws { _ = try run(binDir + "/irm", line.split(separator: " ").map(String.init)) }

func field(_ out: String, _ key: String) -> Double {
    guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("RESULT ") }) else {
        print("  (failed: \(out.trimmingCharacters(in: .whitespacesAndNewlines)))")
        return .nan
    }
    for kv in line.dropFirst(7).split(separator: " ") where kv.hasPrefix(key + "=") { return Double(kv.dropFirst(key.count + 1)) ?? .nan }
    return .nan
}

let irmd = Process()
irmd.executableURL = URL(fileURLWithPath: binDir + "/irmd")
irmd.arguments = ["--stdout"]
irmd.environment = env.merging(["OUROBOROS_DISABLE_DIRECT_IPC": "1"]) { $1 }
irmd.standardOutput = FileHandle.nullDevice
try irmd.run()
for _ in 0..<500 where !FileManager.default.fileExists(atPath: dir + "/irm.sock") { usleep(10_000) }
try irm("ipcp bootstrap type local name lo layer lo")

let server = Process()
server.executableURL = URL(fileURLWithPath: me)
server.arguments = ["--role", "echo-server"]
server.environment = env
let serverOut = Pipe()
server.standardOutput = serverOut
try server.run()
var seen = ""
while !seen.contains("READY") {
    let d = serverOut.fileHandleForReading.availableData
    if d.isEmpty { break }
    seen += String(decoding: d, as: UTF8.self)
}
for name in ["alloc.plain", "alloc.ecdsa", "alloc.mlkem", "echo.plain", "echo.aes", "echo.chacha"] {
    try irm("reg name \(name) layer lo")
    try irm("bind process \(server.processIdentifier) name \(name)")
}

func col(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
func ratio(_ a: Double, _ b: Double) -> String { b > 0 && !a.isNaN ? String(format: "%.2f×", a / b) : "-" }

print("CryptoBench: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, through ipcpd-local; \(allocations) allocations per case, \(seconds) s echo runs")
print("")
print(col("flow allocation + deallocation", 40) + col("per second", 12) + col("vs none", 10))
_ = try run(me, ["--role", "allocs", "alloc.plain", String(allocations / 5)])
var base = Double.nan
for (label, name) in [("no credentials", "alloc.plain"), ("ECDSA P-256 certificates + X25519", "alloc.ecdsa"),
                      ("ML-KEM-768", "alloc.mlkem")] {
    let rate = field(try run(me, ["--role", "allocs", name, String(allocations)]), "per_second")
    if base.isNaN { base = rate }
    print(col(label, 40) + col(String(format: "%.1f", rate), 12) + col(ratio(rate, base), 10))
}
print("")
print(col("echo, 1400 B, 16 in flight", 40) + col("packets/s", 12) + col("Mbit/s", 10) + col("vs none", 10))
base = .nan
for (label, name) in [("unencrypted", "echo.plain"), ("aes-256-gcm", "echo.aes"), ("chacha20-poly1305", "echo.chacha")] {
    let out = try run(me, ["--role", "echo-throughput", name, String(seconds)])
    let pps = field(out, "pps"), mbps = field(out, "mbps")
    if base.isNaN { base = pps }
    print(col(label, 40) + col(String(format: "%.0f", pps), 12) + col(String(format: "%.1f", mbps), 10) + col(ratio(pps, base), 10))
}

kill(server.processIdentifier, SIGKILL)
server.waitUntilExit()
kill(irmd.processIdentifier, SIGTERM)
irmd.waitUntilExit()
try? FileManager.default.removeItem(atPath: dir)
