/// `ocbr`'s command line (spec host.md §9.3).
public struct OCBROptions: Equatable, Sendable {
    /// The largest packet.
    public static let maximumSize = 524_288

    public var listen = false
    /// Server: seconds between reports.
    public var reportInterval = 1
    /// Server: seconds without data before a test ends.
    public var timeout = 1
    public var serverName: String?
    /// Client: seconds of sending.
    public var duration = 60
    public var size = 1000
    /// Bit/s.
    public var rate = 1_000_000
    public var flood = false
    /// Pace by sleeping (the default) rather than spinning.
    public var sleep = true

    public init() {}

    /// Parses the arguments after the program name. Unknown options: usage,
    /// exit 0 (as the reference); a value-taking option at the end: usage, exit 1.
    public static func parse(_ arguments: [String]) throws(OptionError) -> OCBROptions {
        var o = OCBROptions()
        var args = ArgumentScanner(arguments)
        while let arg = args.next() {
            switch arg {
            case "-i", "--interval": o.reportInterval = try NumberParsing.count(args.value(missing: .usage), what: "interval")
            case "-t", "--timeout": o.timeout = try NumberParsing.count(args.value(missing: .usage), what: "timeout")
            case "-n", "--server_apn": o.serverName = try args.value(missing: .usage)
            case "-d", "--duration": o.duration = try NumberParsing.count(args.value(missing: .usage), what: "duration")
            case "-s", "--size": o.size = try NumberParsing.integer(args.value(missing: .usage), what: "size")
            case "-r", "--rate": o.rate = try NumberParsing.rate(args.value(missing: .usage), plain: 1)
            case "-l", "--listen": o.listen = true
            case "-f", "--flood": o.flood = true
            case "--sleep": o.sleep = true
            case "--spin": o.sleep = false
            default: throw .help
            }
        }
        return o
    }

    /// Checks the client's settings: a server name, a size within range and a
    /// positive rate.
    public func validateClient() throws(OptionError) {
        guard serverName != nil else { throw .failure("No server specified.", usage: true) }
        guard size <= OCBROptions.maximumSize else { throw .failure("Maximum size: \(OCBROptions.maximumSize).") }
        guard size >= 0 else { throw .failure("Size overflow.") }
        guard rate > 0 else { throw .failure("Invalid rate.") }
    }

    /// The usage text.
    public static let usage = """
        Usage: ocbr [OPTION]...
        Sends packets at a constant bit rate from a client to a server.

          -l, --listen              Server mode

        Server options:
          -i, --interval            Seconds between reports (default 1)
          -t, --timeout             Seconds without data that end a test (default 1)

        Client options:
          -n, --server_apn          Name of the server
          -d, --duration            Seconds of sending (default 60)
          -f, --flood               Send as fast as possible
          -s, --size                Packet size in bytes (at most \(OCBROptions.maximumSize), default 1000)
          -r, --rate                Rate in b/s, suffix k, M or G (default 1M)
              --sleep               Sleep between packets (default)
              --spin                Spin between packets

              --help                Show this text and exit
        """
}
