#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// irmd's side of OAP (spec host.md §7): builds requests for allocating
/// applications, answers them for accepting ones, and checks freshness and
/// replays. Authentication and encryption are not implemented yet: a name with
/// credentials or an enc.conf fails with a clear log line instead of silently
/// allocating an unprotected flow.
final class OAP: Sendable {
    /// Replay window and future slack, in ns.
    static let replayWindow: UInt64 = 20_000_000_000
    static let futureSlack: UInt64 = 100_000_000

    private let seen = Mutex<[(timestamp: UInt64, id: [UInt8])]>([])

    /// Now on CLOCK_REALTIME in ns.
    static var realtime: UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// What the client keeps between request and response.
    struct ClientState: Sendable {
        let request: [UInt8]
        let id: [UInt8]
    }

    /// The security files of one side of a name that would call for
    /// authentication or encryption.
    static func securityFiles(_ p: SecurityPaths) -> [String] {
        [p.enc, p.crt, p.key].filter { !$0.isEmpty && access($0, F_OK) == 0 }
    }

    /// Builds a request for an allocation to a name with these client paths.
    func request(client: SecurityPaths) throws(OuroError) -> ClientState {
        guard OAP.securityFiles(client).isEmpty else { throw OuroError.notSupported }
        var id = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in id.indices { id[i] = UInt8.random(in: 0...255, using: &rng) }
        let bytes = OAPHeader(id: id, timestamp: OAP.realtime).serialize()
        return ClientState(request: bytes, id: id)
    }

    /// Checks a request and builds the response (server side).
    /// Errors: -EAUTH for decoding, freshness and replay failures; -ECRYPT when
    /// encryption is asked for or configured.
    func respond(to bytes: [UInt8], server: SecurityPaths) throws(OuroError) -> [UInt8] {
        let req: OAPHeader
        do {
            req = try OAPHeader(parsing: bytes)
        } catch {
            throw OuroError.auth
        }
        try checkFresh(req)
        guard req.certificate.isEmpty else { throw OuroError.auth }
        guard req.kex.isEmpty, req.cipherNID == 0, OAP.securityFiles(server).isEmpty else { throw OuroError.crypt }
        var rsp = OAPHeader(id: req.id, timestamp: OAP.realtime)
        rsp.requestHash = OAP.digest(bytes, mdNID: req.mdNID)
        return rsp.serialize()
    }

    /// Completes an allocation with the server's response (client side); -ECRYPT on any failure.
    func complete(_ state: ClientState, response: [UInt8]) throws(OuroError) {
        let reqMD = (try? OAPHeader(parsing: state.request))?.mdNID ?? 0
        guard let rsp = try? OAPHeader(parsing: response, requestHashLength: OAPHeader.hashLength(forDigest: reqMD)),
              rsp.id == state.id,
              rsp.requestHash == OAP.digest(state.request, mdNID: reqMD),
              rsp.certificate.isEmpty else { throw OuroError.crypt }
    }

    /// The request digest: only SHA-384 (md_nid 0) is available without credentials.
    static func digest(_ bytes: [UInt8], mdNID: UInt16) -> [UInt8] {
        SHA512.sha384(bytes)
    }

    private func checkFresh(_ h: OAPHeader) throws(OuroError) {
        let now = OAP.realtime
        if h.timestamp > now + OAP.futureSlack || now > h.timestamp + OAP.replayWindow { throw OuroError.auth }
        let replay = seen.withLock { list -> Bool in
            list.removeAll { now > $0.timestamp + OAP.replayWindow }
            if list.contains(where: { $0.timestamp == h.timestamp && $0.id == h.id }) { return true }
            list.append((h.timestamp, h.id))
            return false
        }
        if replay { throw OuroError.auth }
    }
}
