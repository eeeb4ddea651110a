#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Logging in the reference's format: `==PID== component(LVL): message` on stdout
/// (coloured, flushed per line) or the plain message to syslog.
public enum OuroLog {
    /// Where log lines go.
    public enum Destination: Sendable {
        case stdout
        case syslog
    }

    /// Installs the handler for this process. `program` is the syslog ident.
    /// The level comes from `OUROBOROS_LOG_LEVEL` (`debug`, `info`, ...), default info.
    public static func bootstrap(program: String, destination: Destination) {
        let level = getenv("OUROBOROS_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .info
        if destination == .syslog {
            openlog(strdup(program), LOG_PID, LOG_DAEMON)
        }
        LoggingSystem.bootstrap { label in
            var handler = OuroLogHandler(component: label, destination: destination)
            handler.logLevel = level
            return handler
        }
    }
}

/// A swift-log handler printing the reference's line format.
public struct OuroLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let component: String
    let destination: OuroLog.Destination

    public init(component: String, destination: OuroLog.Destination) {
        self.component = component
        self.destination = destination
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let text = event.message.description
        switch destination {
        case .syslog:
            let priority: Int32
            switch event.level {
            case .critical, .error: priority = LOG_ERR
            case .warning: priority = LOG_WARNING
            case .info, .notice: priority = LOG_INFO
            case .debug, .trace: priority = LOG_DEBUG
            }
            text.withCString { cstr in withVaList([cstr]) { vsyslog(priority, "%s", $0) } }
        case .stdout:
            print(OuroLogHandler.format(pid: getpid(), component: component, level: event.level, message: text))
            fflush(nil)
        }
    }

    /// One stdout line, with colour codes, without the newline.
    public static func format(pid: Int32, component: String, level: Logger.Level, message: String) -> String {
        let (tag, colour): (String, String)
        switch level {
        case .critical, .error: (tag, colour) = ("EE", "\u{1b}[31m")
        case .warning: (tag, colour) = ("WW", "\u{1b}[33m")
        case .info, .notice: (tag, colour) = ("II", "\u{1b}[32m")
        case .debug: (tag, colour) = ("DB", "")
        case .trace: (tag, colour) = ("PP", "\u{1b}[34m")
        }
        var p = String(pid)
        if p.count < 5 { p = String(repeating: "0", count: 5 - p.count) + p }
        return "\(colour)==\(p)== \(component)(\(tag)): \(message)\u{1b}[0m"
    }
}
