#if canImport(Glibc)
import Glibc
#endif

/// A control-socket server: an acceptor thread reads one message per connection
/// and hands it to a worker pool; the handler's reply (if any) is written back
/// and the connection closed (spec host.md §1.8, ipcps.md §2.2).
public final class ControlServer: Sendable {
    /// What a handler learns about the sender.
    public struct Peer: Sendable {
        public let pid: Int32
        public let uid: UInt32
        public let gid: UInt32
    }

    /// Handles one request; returns the reply bytes, or nil to close without reply.
    public typealias Handler = @Sendable (_ request: [UInt8], _ peer: Peer) -> [UInt8]?

    private let listener: UnixSocket
    private let pool: WorkerPool
    /// The socket path.
    public let path: String

    /// Listens on `path` (mode `mode`) with a pool of `minWorkers` idle workers.
    public init(path: String, mode: mode_t = 0o666, minWorkers: Int) throws(OuroError) {
        self.path = path
        self.listener = try UnixSocket.listen(path: path, mode: mode)
        self.pool = WorkerPool(minIdle: minWorkers)
    }

    /// Starts the acceptor thread; `onReject` is told about a request that was
    /// dropped before reaching the handler (too large or unreadable).
    public func start(handler: @escaping Handler, onReject: @escaping @Sendable (String) -> Void) {
        let listener = self.listener
        let pool = self.pool
        startThread {
            while true {
                let conn: UnixSocket
                do {
                    conn = try listener.accept()
                } catch {
                    if listener.fd < 0 { return }
                    continue
                }
                pool.submit {
                    let request: [UInt8]
                    do {
                        request = try conn.receive()
                    } catch {
                        onReject("Dropped a request: \(error).")
                        conn.close()
                        return
                    }
                    guard !request.isEmpty else {
                        conn.close()
                        return
                    }
                    let cred = conn.peerCredentials() ?? (pid: 0, uid: UInt32.max, gid: UInt32.max)
                    if let reply = handler(request, Peer(pid: cred.pid, uid: cred.uid, gid: cred.gid)) {
                        try? conn.send(reply)
                    }
                    conn.close()
                }
            }
        }
    }

    /// Stops accepting, removes the socket file and lets idle workers go.
    public func stop() {
        shutdown(listener.fd, Int32(SHUT_RDWR))
        listener.close()
        unlink(path)
        pool.stop()
    }
}
