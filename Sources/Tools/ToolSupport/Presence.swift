#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The program's registration with irmd. The reference's library announces a
/// program before `main`; the tools do it once their command line is known,
/// so that a server can be bound by pid as soon as it prints its first line.
public enum Presence {
    /// Announces this process to irmd; without irmd prints the reference's
    /// fatal line on stderr and exits with status 1.
    public static func announce() {
        do {
            try OuroborosProcess.start()
        } catch {
            Console.complain("FATAL: Could not announce to IRMd.")
            exit(1)
        }
    }

    /// Describes an allocation failure: the reference's line with the negative
    /// code, and for a QoS that needs FRCT a line saying it is not available.
    public static func allocationFailure(_ e: OuroError, qosName: String, withCode: Bool) -> [String] {
        var lines = [withCode ? "Failed to allocate flow: \(e.result)." : "Failed to allocate flow."]
        if e == .notSupported {
            lines.append("QoS cube \(qosName) needs in-order delivery (FRCT), which is not supported yet.")
        } else {
            lines.append("(\(e.description))")
        }
        return lines
    }
}

extension OuroError {
    /// True for the errors after which a flow never delivers again: it is
    /// down, its peer timed out, or it is no longer allocated.
    public var endsFlow: Bool {
        self == .flowDown || self == .flowPeer || self == .notAllocated
    }
}
