#if canImport(Glibc)
import Glibc
#endif

/// An error with the reference's numeric code: a POSIX errno value or one of
/// Ouroboros' own codes (1000 and up). On the wire and in C-style results the
/// code travels negated (`-EIPCP`).
public struct OuroError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The positive error code.
    public let code: Int32

    public init(code: Int32) { self.code = abs(code) }

    /// Builds the error a negative wire result stands for (`-1` is the reference's
    /// generic failure, numerically `EPERM`).
    public init(result: Int32) { self.code = abs(result) }

    /// The negative value the reference returns and puts in `result` fields.
    public var result: Int32 { -code }

    public static let notAllocated = OuroError(code: 1000)
    public static let ipcpType = OuroError(code: 1001)
    public static let irmd = OuroError(code: 1002)
    public static let ipcp = OuroError(code: 1003)
    public static let ipcpState = OuroError(code: 1004)
    public static let flowDown = OuroError(code: 1005)
    public static let flowPeer = OuroError(code: 1006)
    public static let name = OuroError(code: 1007)
    public static let crypt = OuroError(code: 1008)
    public static let auth = OuroError(code: 1009)

    public static let permission = OuroError(code: EPERM)
    public static let noEntry = OuroError(code: ENOENT)
    public static let badDescriptor = OuroError(code: EBADF)
    public static let again = OuroError(code: EAGAIN)
    public static let noMemory = OuroError(code: ENOMEM)
    public static let exists = OuroError(code: EEXIST)
    public static let invalid = OuroError(code: EINVAL)
    public static let pipe = OuroError(code: EPIPE)
    public static let messageSize = OuroError(code: EMSGSIZE)
    public static let notSupported = OuroError(code: ENOTSUP)
    public static let connectionReset = OuroError(code: ECONNRESET)
    public static let timedOut = OuroError(code: ETIMEDOUT)
    /// The reference's generic failure (`-1`).
    public static let failure = OuroError(code: 1)

    /// The current thread's errno.
    public static var errno: OuroError { OuroError(code: Glibc.errno) }

    public var description: String {
        switch code {
        case 1000: return "flow not allocated"
        case 1001: return "unknown IPCP type"
        case 1002: return "cannot communicate with the IRMd"
        case 1003: return "no suitable IPCP"
        case 1004: return "IPCP in wrong state"
        case 1005: return "flow is down"
        case 1006: return "flow is down: peer timed out"
        case 1007: return "naming error"
        case 1008: return "encryption error"
        case 1009: return "authentication error"
        default: return String(cString: strerror(code))
        }
    }
}
