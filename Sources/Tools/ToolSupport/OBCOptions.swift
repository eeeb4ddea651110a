/// `obc`'s command line (spec host.md §9.5): `-n|--name <layer>`,
/// `-m|--message <text>`, `-l|--listen`. Anything else: usage, exit 0.
public struct OBCOptions: Equatable, Sendable {
    /// What the writer sends when given no message.
    public static let defaultMessage = "Ouroboros multicast rocks!"
    /// The largest message the reader reads at a time.
    public static let bufferSize = 256

    /// The broadcast layer to join.
    public var layer: String
    /// The writer's message, sent with its terminating NUL.
    public var message: String
    /// Reader mode.
    public var listen: Bool

    public init(layer: String, message: String = OBCOptions.defaultMessage, listen: Bool = false) {
        self.layer = layer
        self.message = message
        self.listen = listen
    }

    /// A missing layer name: the reference's line, the usage, exit status 1.
    public static let noName = OptionError.failure("Please specify a name.\n", usage: true)

    public static func parse(_ arguments: [String]) throws(OptionError) -> OBCOptions {
        var layer: String?
        var message = defaultMessage
        var listen = false
        var scanner = ArgumentScanner(arguments)
        while let arg = scanner.next() {
            switch arg {
            case "-l", "--listen": listen = true
            // An option at the end without its value changes nothing.
            case "-n", "--name": layer = scanner.next()
            case "-m", "--message": message = scanner.next() ?? message
            default: throw .help
            }
        }
        guard let layer else { throw noName }
        return OBCOptions(layer: layer, message: message, listen: listen)
    }

    /// The message as sent: its bytes and a NUL.
    public var payload: [UInt8] { Array(message.utf8) + [0] }

    /// A received message as printed: up to its first NUL.
    public static func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The usage text.
    public static let usage = """
        Usage: obc [OPTION]...
        Sends a message to a broadcast network

          -n --name                 Name of the broadcast layer
          -m --message              A message to send
          [-l, --listen             Listen mode]
              --help                Display this help text and exit
        """
}
