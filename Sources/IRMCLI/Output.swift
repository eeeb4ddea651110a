import Glibc

/// Where `irm` writes: its normal output and its error stream.
public protocol IRMOutput {
    /// Normal output (tables, usage, most messages: the reference `printf`s them).
    func write(_ text: String)
    /// The error stream (unknown sub-commands).
    func writeError(_ text: String)
}

/// The process's standard output and standard error, unbuffered so that the
/// two streams interleave as written.
public struct Console: IRMOutput {
    public init() {}

    public func write(_ text: String) { put(text, fd: 1) }

    public func writeError(_ text: String) { put(text, fd: 2) }

    private func put(_ text: String, fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
