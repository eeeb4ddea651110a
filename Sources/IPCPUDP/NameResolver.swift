#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPKit
import Logging
import Synchronization

/// The UDP layer's directory (ipcps.md §4.5): which IP address serves a name
/// digest. A digest is looked up by its 32-hex-digit form, through DDNS when
/// a DNS server is configured, else through the hosts database
/// (`getaddrinfo`, restricted to the layer's family). Answers are kept for the
/// daemon's life.
///
/// Unlike the reference, a lookup runs on its own thread and a query waits
/// for it at most `queryWaitMilliseconds`: a slow resolver never holds a command worker
/// longer than irmd waits for the answer (200 ms), and an answer that comes
/// later is kept for the next query.
final class NameResolver: Sendable {
    static let queryWaitMilliseconds = 150

    let directory = ShimDirectory<IPAddress>()
    private let family: UDPFamily
    private let ddns: DynamicDNS?
    private let inFlight = Mutex<Set<[UInt8]>>([])
    private let finished = ConditionSignal()
    private let log: Logger

    init(family: UDPFamily, ddns: DynamicDNS?, log: Logger) {
        self.family = family
        self.ddns = ddns
        self.log = log
    }

    /// The printable form of a digest: lowercase hex.
    static func name(of digest: [UInt8]) -> String { digest.hexString }

    /// Returns once `digest` has an address; `.failure` if the lookup failed
    /// or took longer than `queryWaitMilliseconds`.
    func query(_ digest: [UInt8]) throws(OuroError) {
        if directory.contains(digest) { return }
        let start = inFlight.withLock { $0.insert(digest).inserted }
        if start { startThread { [self] in lookup(digest) } }
        finished.wait(until: .after(milliseconds: Self.queryWaitMilliseconds)) {
            directory.contains(digest) || !inFlight.withLock { $0.contains(digest) }
        }
        guard directory.contains(digest) else { throw OuroError.failure }
    }

    private func lookup(_ digest: [UInt8]) {
        let name = Self.name(of: digest)
        let address = ddns.map { $0.lookup(name, family: family) } ?? hostsLookup(name)
        if let address {
            directory.add(digest, address: address)
            log.debug("Resolved \(digest.hashPrefix) to \(address).")
        } else {
            log.debug("Failed to resolve \(digest.hashPrefix).")
        }
        inFlight.withLock { _ = $0.remove(digest) }
        finished.broadcast()
    }

    /// `getaddrinfo(name)` for the layer's family: the first address.
    private func hostsLookup(_ name: String) -> IPAddress? {
        var hints = addrinfo()
        hints.ai_family = family.domain
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard first.pointee.ai_family == family.domain, let sa = first.pointee.ai_addr else { return nil }
        return SocketAddress(raw: sa, length: Int(first.pointee.ai_addrlen)).ip
    }
}
