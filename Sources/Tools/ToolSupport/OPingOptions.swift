import DevKit

/// `oping`'s command line (spec host.md §9.1).
public struct OPingOptions: Equatable, Sendable {
    /// How the client paces its requests.
    public enum ClientMode: Equatable, Sendable {
        /// A writer thread sends every `interval`, a reader thread collects replies.
        case threaded
        /// The next request leaves as soon as the reply to the previous one arrived.
        case flood
        /// As `flood`, waiting for each reply by spinning on non-blocking reads.
        case floodBusy
    }

    /// The largest and smallest packet the client sends, and the longest interval.
    public static let maximumSize = 1500
    public static let minimumSize = 64
    public static let maximumIntervalMs = 10_000

    public var listen = false
    /// Server: poll the event set instead of waiting 100 ms at a time.
    public var poll = false
    /// Server: serve a single flow by spinning on non-blocking reads.
    public var busy = false
    public var count = Int(Int32.max)
    public var intervalMs = 1000
    public var serverName: String?
    public var qosName = "raw"
    public var qos = QoSSpec.raw
    public var size = 64
    public var quiet = false
    /// Prefix each reply line with the time of day.
    public var timeOfDay = false
    public var mode = ClientMode.threaded
    /// Lines to print before running (an unknown QoS name falls back to raw).
    public var notes: [String] = []

    public init() {}

    /// Parses the arguments after the program name. A value-taking option at
    /// the end of the line or an unknown option: usage, exit 1; `--help`: usage, exit 0.
    public static func parse(_ arguments: [String]) throws(OptionError) -> OPingOptions {
        var o = OPingOptions()
        var args = ArgumentScanner(arguments)
        var durationMs = 0
        var flood = false
        var floodBusy = false
        var qosText: String?
        while let arg = args.next() {
            switch arg {
            case "-i", "--interval": o.intervalMs = try NumberParsing.milliseconds(args.value(missing: .usage))
            case "-n", "--server-name": o.serverName = try args.value(missing: .usage)
            case "-c", "--count": o.count = try NumberParsing.count(args.value(missing: .usage), what: "count")
            case "-d", "--duration": durationMs = try NumberParsing.milliseconds(args.value(missing: .usage))
            case "-s", "--size": o.size = try NumberParsing.integer(args.value(missing: .usage), what: "size")
            case "-q", "--qos": qosText = try args.value(missing: .usage)
            case "-l", "--listen": o.listen = true
            case "-f", "--flood": flood = true
            case "-F", "--flood-busy": floodBusy = true
            case "-D", "--timeofday": o.timeOfDay = true
            case "-Q", "--quiet": o.quiet = true
            case "--poll": o.poll = true
            case "--busy": o.busy = true
            case "--help": throw .help
            default: throw .usage
            }
        }
        o.mode = floodBusy ? .floodBusy : flood ? .flood : .threaded
        if durationMs > 0 {
            o.count = o.intervalMs == 0 ? durationMs * 10 : durationMs / o.intervalMs
        }
        if let q = qosText {
            if let preset = qosPreset(q) {
                o.qosName = q
                o.qos = preset
            } else {
                o.notes.append("Unknown QoS cube, defaulting to raw.")
            }
        }
        return o
    }

    /// The QoS preset a `-q` name stands for.
    public static func qosPreset(_ name: String) -> QoSSpec? {
        switch name {
        case "raw": return .raw
        case "best": return .bestEffort
        case "video": return .video
        case "voice": return .voice
        case "data": return .data
        default: return nil
        }
    }

    /// The client's settings: a server name is required; the interval and
    /// size are brought into range, each change announced by a line.
    public func clientSettings() throws(OptionError) -> (options: OPingOptions, notes: [String]) {
        guard serverName != nil else { throw .failure("No server specified.", usage: true) }
        var o = self
        var notes: [String] = []
        if o.intervalMs > OPingOptions.maximumIntervalMs {
            notes.append("Ping interval truncated to 10s.")
            o.intervalMs = OPingOptions.maximumIntervalMs
        }
        if o.size > OPingOptions.maximumSize {
            notes.append("Packet size truncated to \(OPingOptions.maximumSize) bytes.")
            o.size = OPingOptions.maximumSize
        }
        if o.size < OPingOptions.minimumSize {
            notes.append("Packet size set to \(OPingOptions.minimumSize) bytes.")
            o.size = OPingOptions.minimumSize
        }
        return (o, notes)
    }

    /// The usage text.
    public static let usage = """
        Usage: oping [OPTION]...

        Measures the round-trip time between an oping client and server.

          -l, --listen            Server mode
              --poll              Server: poll for packets (lower latency, more CPU)
              --busy              Server: serve one flow with busy-polling

          -c, --count             Number of packets to send
          -d, --duration          Test duration; sets the count from the interval
          -f, --flood             Send each packet as soon as the previous reply arrived
          -F, --flood-busy        Flood, busy-polling for replies
          -i, --interval          Time between packets (default 1000ms)
          -n, --server-name       Name of the oping server
          -q, --qos               QoS cube: raw, best, video, voice or data
          -s, --size              Packet size in bytes (64 to 1500, default 64)
          -Q, --quiet             Print only the final statistics
          -D, --timeofday         Prefix reply lines with the time of day

              --help              Show this text and exit

        Times are integers with an optional unit: ms (default), s, m, h, d.
        """
}
