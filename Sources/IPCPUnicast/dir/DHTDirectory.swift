import DevKit
import IPCPCommon
import IPCPKit
import Synchronization

/// The DHT as the daemon's `Directory`: a `DHTNode` that sends through the
/// data transfer (eid 1, best effort), bootstraps through the configured
/// peer (retrying with back-off until a route to it exists) and runs its
/// maintenance on the daemon's timers.
public final class DHTDirectory: Directory {
    public let node: DHTNode
    private let timers: Timers
    private let reachable: @Sendable () -> [Address]
    private let handles = Mutex<[Timers.Handle]>([])
    private let bootstrapHandle = Mutex<Timers.Handle?>(nil)
    private let running = Atomic<Bool>(false)

    /// The longest pause between bootstrap attempts.
    private static let maxBootstrapDelay = 1.0

    public init(context: DirectoryContext) throws(OuroError) {
        guard case .dht(let config) = context.config, context.hashLength > 0 else { throw .invalid }
        let sender = context.sender
        node = DHTNode(address: context.address, idLength: context.hashLength, config: config) { destination, bytes in
            do {
                try sender.send(bytes, to: destination, cube: .bestEffort, eid: ComponentEndpoint.directory.rawValue)
                return true
            } catch {
                return false
            }
        }
        timers = context.timers
        reachable = context.reachable
    }

    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        let periodic = [timers.every(seconds: node.maintenanceInterval) { [node] in node.maintenance() },
                        timers.every(seconds: 1) { [node, reachable] in
                            node.checkLookups()
                            node.reseedWhenAlone(fallback: reachable)
                        }]
        handles.withLock { $0 += periodic }
        bootstrap(after: 0.002)
    }

    /// Tries to bootstrap after `delay` s, then again after twice as long
    /// (at most `maxBootstrapDelay`) until the request goes out.
    private func bootstrap(after delay: Double) {
        let handle = timers.after(seconds: delay) { [self] in
            guard running.load(ordering: .relaxed), !node.bootstrap() else { return }
            bootstrap(after: min(delay * 2, Self.maxBootstrapDelay))
        }
        bootstrapHandle.withLock { $0 = handle }
    }

    public func stop() {
        running.store(false, ordering: .relaxed)
        handles.withLock { h in
            h.forEach { $0.cancel() }
            h = []
        }
        bootstrapHandle.withLock { $0?.cancel() }
    }

    public func register(_ hash: [UInt8]) throws(OuroError) {
        guard hash.count == node.id.count else { throw .invalid }
        node.register(hash)
    }

    public func unregister(_ hash: [UInt8]) throws(OuroError) {
        guard hash.count == node.id.count else { throw .invalid }
        node.unregister(hash)
    }

    public func query(_ hash: [UInt8]) -> Address? {
        guard hash.count == node.id.count else { return nil }
        return node.query(hash)
    }

    public func info(_ section: InfoSection) -> InfoNode? {
        section == .dht ? node.info : nil
    }

    public func receive(_ packet: [UInt8]) {
        node.received(packet)
    }
}
