/// `oecho`'s command line (spec host.md §9.4): `-l`/`--listen` or nothing.
public enum OEchoOptions {
    /// The name the client allocates a flow to.
    public static let serverName = "oecho"
    /// What the client says, sent with its terminating NUL.
    public static let greeting = "Client says hi!"
    /// The largest message either side reads.
    public static let bufferSize = 256

    /// True for server mode. Anything other than `-l`: usage, exit 0.
    public static func parse(_ arguments: [String]) throws(OptionError) -> Bool {
        var listen = false
        for arg in arguments {
            guard arg == "-l" || arg == "--listen" else { throw .help }
            listen = true
        }
        return listen
    }

    /// The greeting as sent: its bytes and a NUL.
    public static var greetingMessage: [UInt8] { Array(greeting.utf8) + [0] }

    /// A received message as text: up to its first NUL.
    public static func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The usage text.
    public static let usage = """
        Usage: oecho [OPTION]...
        Sends a message from a client to the oecho server, which echoes it.

          -l, --listen              Server mode
              --help                Show this text and exit
        """
}
