/// Why a command line cannot run: what to print and how to exit.
public struct OptionError: Error, Equatable, Sendable {
    /// A line printed before anything else, if any.
    public var message: String?
    /// Whether the usage text follows the message.
    public var showUsage: Bool
    /// The process exit status.
    public var exitCode: Int32

    public init(message: String? = nil, showUsage: Bool, exitCode: Int32) {
        self.message = message
        self.showUsage = showUsage
        self.exitCode = exitCode
    }

    /// Usage text and exit status 1: an unknown option or a missing value.
    public static let usage = OptionError(showUsage: true, exitCode: 1)
    /// Usage text and exit status 0: `--help`, or the tools whose reference
    /// answers anything unknown this way.
    public static let help = OptionError(showUsage: true, exitCode: 0)

    /// A message and exit status 1.
    public static func failure(_ message: String, usage: Bool = false) -> OptionError {
        OptionError(message: message, showUsage: usage, exitCode: 1)
    }
}
