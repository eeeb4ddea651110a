import DevKit

/// The command line irmd starts an IPCP daemon with (ipcps.md §2.1):
/// `<path> <irmd pid> <ipcp name> [syslog flag]`.
public struct IPCPArguments: Sendable, Equatable {
    /// The pid of the irmd that spawned this IPCP; only its signals are honoured.
    public let irmdPID: Int32
    /// The IPCP's name.
    public let name: String
    /// Syslog when irmd passed a fourth argument, stdout otherwise.
    public let logDestination: OuroLog.Destination
    /// The basename of the executable, as announced to irmd and used as syslog ident.
    public let program: String

    /// Validates `argv`: 3 or 4 elements, argv[1] a non-zero pid.
    public init(_ argv: [String]) throws(OuroError) {
        guard argv.count == 3 || argv.count == 4 else { throw OuroError.invalid }
        guard let pid = Int32(argv[1]), pid != 0 else { throw OuroError.invalid }
        irmdPID = pid
        name = argv[2]
        logDestination = argv.count == 4 ? .syslog : .stdout
        program = argv[0].split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? argv[0]
    }
}
