#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The servers' accept step.
public enum Acceptance {
    /// The next incoming flow. A failed accept prints `failure(error)` and is
    /// retried, unless the process is being stopped or irmd is gone (exit 1).
    public static func next(_ failure: (OuroError) -> String = { _ in "Failed to accept flow." }) -> Flow {
        while true {
            do {
                return try Flow.accept()
            } catch {
                Termination.awaitExitIfRequested()
                Console.say(failure(error))
                if error == .irmd { exit(1) }
            }
        }
    }
}
