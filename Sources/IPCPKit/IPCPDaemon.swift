#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit
import Logging

/// The life of an IPCP process (ipcps.md §2.1, §2.5–§2.7; host.md §1.4–§1.5):
/// parse argv, announce to irmd, serve `ipcp.<pid>.sock`, report IPCP_CREATE_R,
/// wait for irmd's signal, clean up and say goodbye.
public enum IPCPDaemon {
    /// Linux timer slack of IPCP threads, in ns.
    static let timerSlackNanoseconds: UInt = 100
    /// Idle workers kept for irmd's requests.
    static let minimumWorkers = 4

    /// Runs the daemon of `type` with `argv` until irmd stops it and returns the
    /// exit status. `makeOperations` builds the type's operations on the core.
    public static func main(type: IPCPType, argv: [String],
                            makeOperations: (IPCP) -> any IPCPOperations) -> Int32 {
        let arguments: IPCPArguments
        do {
            arguments = try IPCPArguments(argv)
        } catch {
            let usage = "Usage: \(argv.first ?? type.executable) <irmd pid> <name> [syslog]\n"
            _ = usage.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            return EXIT_FAILURE
        }
        OuroLog.bootstrap(program: arguments.program, destination: arguments.logDestination)
        let log = Logger(label: "ipcpd/ipcp")

        // Before any thread exists, so that every thread inherits the mask and
        // only the signal loop below sees these signals.
        var signals = IPCPDaemon.signals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        _ = couro_set_pdeathsig(SIGTERM)
        _ = couro_set_timerslack(timerSlackNanoseconds)

        let instance = Instance.current
        let ipcp = IPCP(type: type, name: arguments.name, irmdPID: arguments.irmdPID, instance: instance)
        let irmd = ipcp.irmd
        do {
            try irmd.announce(program: arguments.program)
        } catch {
            log.error("Failed to announce process to the IRMd: \(error).")
            return EXIT_FAILURE
        }
        let operations = makeOperations(ipcp)
        ipcp.install(operations)

        let path = instance.ipcpSocketPath(pid: irmd.pid)
        let server: ControlServer
        do {
            server = try ControlServer(path: path, minWorkers: minimumWorkers)
        } catch {
            log.error("Failed to open server socket at \(path).")
            irmd.procExit()
            return EXIT_FAILURE
        }
        ipcp.setState(.initial)
        log.info("IPCP \(type.name) \(irmd.pid) initialized.")

        ipcp.setState(.boot)
        server.start(handler: { request, _ in ipcp.handle(request: request) },
                     onReject: { reason in log.warning("\(reason)") })
        do {
            try irmd.createR(type: type, name: arguments.name, state: .boot)
        } catch {
            log.error("Failed to notify IRMd we are initialized.")
            server.stop()
            ipcp.setState(.initial)
            // The reference reports once more, still saying BOOT.
            try? irmd.createR(type: type, name: arguments.name, state: .boot)
            irmd.procExit()
            return EXIT_FAILURE
        }

        waitForSignals(ipcp, log: log)

        if ipcp.state == .shutdown { operations.shutdown() }
        log.info("IPCP \(irmd.pid) shutting down.")
        server.stop()
        ipcp.setState(.initial)
        log.info("IPCP \(irmd.pid) out.")
        irmd.procExit()
        return EXIT_SUCCESS
    }

    /// SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE: blocked in every thread and
    /// taken by `waitForSignals`.
    static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&set, s) }
        return set
    }

    /// The main thread's loop: a terminating signal sent by irmd moves BOOT to
    /// INIT and OPERATIONAL to SHUTDOWN; the loop ends in INIT or SHUTDOWN.
    /// Signals from other processes and SIGPIPE are ignored.
    static func waitForSignals(_ ipcp: IPCP, log: Logger) {
        var set = signals
        while ipcp.state != .initial && ipcp.state != .shutdown {
            var sender: pid_t = 0
            let signal = couro_sigwait_pid(&set, &sender)
            switch signal {
            case SIGINT, SIGTERM, SIGHUP, SIGQUIT:
                guard sender == ipcp.irmdPID else {
                    log.debug("Ignored signal \(signal) from process \(sender).")
                    continue
                }
                switch ipcp.state {
                case .boot: ipcp.setState(.initial)
                case .operational: ipcp.setState(.shutdown)
                default: break
                }
            case SIGPIPE:
                log.debug("Ignored SIGPIPE.")
            default:
                if signal < 0 && signal != -EINTR { log.warning("Bad signal.") }
            }
        }
    }
}
