#if canImport(Glibc)
import Glibc
#endif

/// Line output for the tools: every line is flushed at once, so a reader on a
/// pipe sees it while the tool runs.
public enum Console {
    /// Prints `line` and flushes.
    public static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Prints `lines` and flushes once.
    public static func say(_ lines: [String]) {
        for l in lines { print(l) }
        fflush(nil)
    }

    /// Prints `line` on stderr.
    public static func complain(_ line: String) {
        let text = Array((line + "\n").utf8)
        _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// Prints what an `OptionError` asks for and exits with its status.
    public static func exit(_ e: OptionError, usage: String) -> Never {
        if let m = e.message { print(m) }
        if e.showUsage { print(usage) }
        fflush(nil)
        Glibc.exit(e.exitCode)
    }
}
