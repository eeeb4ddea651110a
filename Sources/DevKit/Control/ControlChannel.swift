import SwiftProtobuf

/// The control transport: one connection per request, one protobuf message each
/// way (spec host.md §2.1).
public enum ControlChannel {
    /// Sends `request` to the socket at `path` and returns the decoded reply.
    /// `timeoutMicroseconds` bounds the wait for the reply (0: wait until the
    /// peer replies or closes). A closed connection or an undecodable reply is
    /// `failure`; a failed connect is `connectFailure`.
    public static func transact<Request: Message, Reply: Message>(
        path: String,
        request: Request,
        replyType: Reply.Type = Reply.self,
        timeoutMicroseconds: Int = 0,
        connectFailure: OuroError = .irmd,
        failure: OuroError = .irmd
    ) throws(OuroError) -> Reply {
        let bytes: [UInt8]
        do {
            bytes = try request.serializedBytes()
        } catch {
            throw OuroError.invalid
        }
        guard bytes.count < UnixSocket.maxMessageSize else { throw OuroError.messageSize }
        let sock: UnixSocket
        do {
            sock = try UnixSocket.connect(path: path)
        } catch {
            throw connectFailure
        }
        defer { sock.close() }
        if timeoutMicroseconds > 0 { sock.setReceiveTimeout(microseconds: timeoutMicroseconds) }
        do {
            try sock.send(bytes)
        } catch {
            throw failure
        }
        let reply: [UInt8]
        do {
            reply = try sock.receive()
        } catch let e {
            throw e == .timedOut ? e : failure
        }
        guard !reply.isEmpty, let decoded = try? Reply(serializedBytes: reply) else { throw failure }
        return decoded
    }

    /// Sends a request to irmd of `instance` and returns its reply.
    public static func irmd(_ request: irm_msg, instance: Instance = .current) throws(OuroError) -> irm_msg {
        try transact(path: instance.irmSocketPath, request: request)
    }
}
