#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// SIGINT, SIGTERM and SIGHUP handled on a thread of their own, so the
/// handler may do anything (print, deallocate, exit) rather than only what is
/// async-signal-safe. SIGPIPE is ignored.
public enum Termination {
    /// Installs `handler`. Call before starting any thread: the signals are
    /// blocked in the caller and every thread it starts afterwards.
    public static func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        signal(SIGPIPE, SIG_IGN)
        var set = signals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        startThread {
            var set = signals()
            while true {
                var sig: Int32 = 0
                if sigwait(&set, &sig) == 0 { handler(sig) }
            }
        }
    }

    /// Raised once a signal asked a server to end.
    public static let requested = StopFlag()

    /// Installs a handler that ends the process with status 0 (servers).
    public static func exitOnSignal() {
        onSignal { _ in
            requested.raise()
            exit(0)
        }
    }

    /// Installs a handler that raises `stop` (clients end their test and
    /// print their statistics); a second signal ends the process at once.
    public static func stopOnSignal(_ stop: StopFlag) {
        onSignal { _ in
            if stop.isRaised { exit(1) }
            stop.raise()
        }
    }

    /// For a thread whose call failed because the process is ending (irmd
    /// forgets a process as it exits): waits for the exit to finish instead of
    /// reporting the failure.
    public static func awaitExitIfRequested() {
        guard requested.isRaised else { return }
        while true { pause() }
    }

    private static func signals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        return set
    }
}

/// A flag the signal handler raises and the loops of a test poll.
public final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    public var isRaised: Bool { raised.load(ordering: .relaxed) }

    public func raise() { raised.store(true, ordering: .relaxed) }
}
