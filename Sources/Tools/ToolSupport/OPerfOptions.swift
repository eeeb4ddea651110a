/// `operf`'s command line (spec host.md §9.2).
public struct OPerfOptions: Equatable, Sendable {
    /// Packets are brought into this range.
    public static let maximumSize = 1 << 20
    public static let minimumSize = 64

    public var listen = false
    public var testName = "uni"
    public var serverName: String?
    public var durationMs = 60_000
    /// Bit/s; a rate without suffix is in kb/s, as in the reference.
    public var rate = 1_000_000
    public var size = 1500
    public var flood = false
    /// Pace by sleeping instead of spinning.
    public var sleep = false

    public init() {}

    /// Parses the arguments after the program name. Unknown options: usage,
    /// exit 0 (as the reference); a value-taking option at the end: usage, exit 1.
    public static func parse(_ arguments: [String]) throws(OptionError) -> OPerfOptions {
        var o = OPerfOptions()
        var args = ArgumentScanner(arguments)
        while let arg = args.next() {
            switch arg {
            case "-n", "--server-name": o.serverName = try args.value(missing: .usage)
            case "-s", "--size": o.size = try NumberParsing.integer(args.value(missing: .usage), what: "size")
            case "-d", "--duration": o.durationMs = try NumberParsing.milliseconds(args.value(missing: .usage))
            case "-r", "--rate": o.rate = try NumberParsing.rate(args.value(missing: .usage), plain: 1000)
            case "-f", "--flood": o.flood = true
            case "--sleep": o.sleep = true
            case "-l", "--listen": o.listen = true
            case "-t", "--test": o.testName = try args.value(missing: .usage)
            default: throw .help
            }
        }
        return o
    }

    /// The client's settings: a server name, a known test type and a positive
    /// rate are required; the size is brought into range, each change
    /// announced by a line.
    public func clientSettings() throws(OptionError) -> (options: OPerfOptions, test: OPerfTest, notes: [String]) {
        guard serverName != nil else { throw .failure("No server specified.") }
        guard let test = OPerfTest(name: testName) else { throw .failure("Invalid test type.") }
        guard flood || rate > 0 else { throw .failure("Invalid rate.") }
        var o = self
        var notes: [String] = []
        if o.size > OPerfOptions.maximumSize {
            notes.append("Packet size truncated to \(OPerfOptions.maximumSize) bytes.")
            o.size = OPerfOptions.maximumSize
        }
        if o.size < OPerfOptions.minimumSize {
            notes.append("Packet size set to \(OPerfOptions.minimumSize) bytes.")
            o.size = OPerfOptions.minimumSize
        }
        return (o, test, notes)
    }

    /// The usage text.
    public static let usage = """
        Usage: operf [OPTION]...
        Measures the throughput between an operf client and server.
          -l, --listen              Server mode
          -t, --test                Test type: uni or bi (default uni)
          -n, --server-name         Name of the operf server
          -d, --duration            Test duration (default 60s; units ms, s, m, h, d)
          -r, --rate                Rate in b/s with suffix k, M or G (no suffix: k)
          -s, --size                Packet size in bytes (default 1500)
          -f, --flood               Send as fast as possible
              --sleep               Sleep between packets instead of spinning

              --help                Show this text and exit
        """
}

/// The operf test a client asks for in its first message.
public enum OPerfTest: UInt32, Equatable, Sendable {
    /// The server prints a line per packet.
    case unidirectional = 0
    /// The server echoes every packet.
    case bidirectional = 1

    public init?(name: String) {
        switch name {
        case "uni": self = .unidirectional
        case "bi": self = .bidirectional
        default: return nil
        }
    }

    /// The 4-byte configuration message: the test type in host order.
    public var configMessage: [UInt8] { withUnsafeBytes(of: rawValue) { Array($0) } }

    /// The test a configuration message asks for; nil unless it is exactly 4
    /// bytes holding a known type.
    public init?(configMessage bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 4 else { return nil }
        self.init(rawValue: bytes.loadUnaligned(as: UInt32.self))
    }
}
