#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit
import Foundation
import Logging

/// Our version: the reference release we are wire-compatible with.
let version = "0.23.0"

func usage() {
    print("""
    Usage: irmd
             [--config <path> (Path to configuration file)]
             [--stdout  (Log to stdout instead of system log)]
             [--version (Print version number and exit)]

    """)
}

var logToStdout = false
var configFile: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--stdout":
        logToStdout = true
    case "--version":
        print("Ouroboros version \(version)")
        exit(EXIT_SUCCESS)
    case "--config":
        guard let path = args.popFirst() else {
            usage()
            exit(EXIT_FAILURE)
        }
        configFile = path
    default:
        usage()
        exit(EXIT_FAILURE)
    }
}

if logToStdout {
    print(banner)
}

let instance = Instance.current
if geteuid() != 0 && !instance.isPrivate {
    print("IPC Resource Manager must be run as root.")
    exit(EXIT_FAILURE)
}

OuroLog.bootstrap(program: "irmd", destination: logToStdout ? .stdout : .syslog)
let log = Logger(label: "irmd")

// Block the terminating signals in every thread; the main thread waits for them.
var signals = sigset_t()
sigemptyset(&signals)
for s in [SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGPIPE] { sigaddset(&signals, s) }
pthread_sigmask(SIG_BLOCK, &signals, nil)

/// The default configuration file of the system instance.
let defaultConfigFile = "/etc/ouroboros/irmd.conf"
if configFile == nil && !instance.isPrivate && access(defaultConfigFile, R_OK) == 0 {
    configFile = defaultConfigFile
}
var configuration: IRMdConfiguration?
if let path = configFile {
    do {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        configuration = try IRMdConfiguration(parsing: text, file: path)
    } catch let e as IRMdConfiguration.Error {
        log.error("Configuration error: \(e).")
        exit(EXIT_FAILURE)
    } catch {
        log.error("Failed to read configuration file \(path): \(error).")
        exit(EXIT_FAILURE)
    }
}

let lockfile = Lockfile(name: instance.lockfileName)
do {
    switch try lockfile.acquire() {
    case .created:
        break
    case .recoveredStale(let owner):
        log.warning("IRMd didn't properly shut down last time (pid \(owner)).")
        SharedObjects.removeStale(instance: instance, keeping: instance.lockfileName)
        log.warning("Stale resources cleaned.")
    case .alreadyRunning(let owner):
        log.warning("IRMd already running (\(owner)), exiting.")
        exit(EXIT_FAILURE)
    }
} catch {
    log.error("Lockfile error: \(error).")
    exit(EXIT_FAILURE)
}

if mkdir(instance.runDirectory, 0o777) != 0 && errno != EEXIST {
    log.error("Failed to create sockets directory.")
    lockfile.release()
    exit(EXIT_FAILURE)
}

let daemon: IRMDaemon
do {
    daemon = try IRMDaemon(instance: instance, logToSyslog: !logToStdout,
                           securityDirectory: "/etc/ouroboros/security")
} catch {
    log.error("Failed to create GSPP: \(error).")
    lockfile.release()
    exit(EXIT_FAILURE)
}
let server: ControlServer
do {
    server = try ControlServer(path: instance.irmSocketPath, mode: 0o666, minWorkers: 8)
} catch {
    log.error("Failed to open server socket: \(error).")
    lockfile.release()
    exit(EXIT_FAILURE)
}
server.start(handler: { daemon.handle(request: $0, peer: $1) },
             onReject: { log.error("\($0)") })
daemon.startSanitizer()
log.info("Ouroboros IPC Resource Manager daemon started...")

var exitStatus = EXIT_SUCCESS
if let c = configuration {
    do {
        try daemon.apply(c)
    } catch {
        log.error("Failed to apply configuration file \(configFile ?? ""): \(error).")
        exitStatus = EXIT_FAILURE
    }
}

while exitStatus == EXIT_SUCCESS {
    let sig = withUnsafePointer(to: &signals) { couro_sigwait_pid($0, nil) }
    if sig == SIGPIPE || sig < 0 { continue }
    log.info("IRMd shutting down...")
    break
}

daemon.terminateAll()
server.stop()
lockfile.release()
log.info("Bye.")
exit(exitStatus)
