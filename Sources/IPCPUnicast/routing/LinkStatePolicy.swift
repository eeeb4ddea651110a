import DevKit
import IPCPCommon
import IPCPKit
import Logging
import Synchronization

/// The link-state routing policy as the daemon sees it (`RoutingPolicy`):
/// `LinkStateRouting` on real N-1 flows. It writes LSAs on the Management
/// flows, reads them on its own thread and runs its timers on the daemon's.
public final class LinkStatePolicy: RoutingPolicy {
    public let routing: LinkStateRouting
    private let timers: Timers
    private let managementFlows: FlowEventSet
    private let handles = Mutex<[Timers.Handle]>([])
    private let running = Atomic<Bool>(false)
    private let log = Logger(label: "ipcpd/link-state")

    /// The largest Management SDU read; longer ones are dropped by the flow.
    private static let maxSDU = 2048

    public init(context: RoutingContext) throws(OuroError) {
        guard case .linkState(let config) = context.config else { throw .invalid }
        let log = log
        routing = LinkStateRouting(address: context.address, config: config) { flow, lsa in
            do {
                try flow.write(lsa)
            } catch {
                log.debug("Failed to send LSA on fd \(flow.fd): \(error).")
            }
        }
        timers = context.timers
        managementFlows = try FlowEventSet(announce: false)
    }

    public func forwardingTable(for cube: QoSCube) -> any ForwardingTable {
        routing.forwardingTable(for: cube)
    }

    public var reachable: [Address] {
        routing.routingTable.filter { !$0.nextHops.isEmpty }.map { Address($0.destination) }
    }

    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        handles.withLock { $0 = routing.start(on: timers) }
        startThread { [self] in readManagementFlows() }
    }

    public func stop() {
        running.store(false, ordering: .relaxed)
        handles.withLock { h in
            h.forEach { $0.cancel() }
            h = []
        }
    }

    public func dtConnectionAdded(_ flow: Flow, neighbour: Address, qos: QoSSpec) {
        routing.dataTransferConnectionAdded(flow, neighbour: neighbour)
    }

    public func dtConnectionRemoved(_ flow: Flow, neighbour: Address) {
        routing.dataTransferConnectionRemoved(flow, neighbour: neighbour)
    }

    public func dtFlowStateChanged(_ flow: Flow, up: Bool) {
        routing.flowStateChanged(flow, up: up)
    }

    public func managementConnectionAdded(_ flow: Flow, neighbour: Address) {
        do {
            try flow.setFlags(flow.flags().union([.readNoPartial, .readNonBlocking]))
            try managementFlows.add(flow)
        } catch {
            log.error("Failed to read Management flow \(flow.fd): \(error).")
        }
        routing.managementConnectionAdded(flow, neighbour: neighbour)
    }

    public func managementConnectionRemoved(_ flow: Flow, neighbour: Address) {
        managementFlows.remove(flow)
        routing.managementConnectionRemoved(flow, neighbour: neighbour)
    }

    public func info(_ section: InfoSection) -> InfoNode? {
        switch section {
        case .lsdb: return routing.lsdbInfo
        case .pff: return routing.pffInfo
        default: return nil
        }
    }

    /// Reads every LSA that arrives on the Management flows.
    private func readManagementFlows() {
        let queue = FlowEventQueue()
        while running.load(ordering: .relaxed) {
            do {
                try managementFlows.wait(into: queue, timeout: .milliseconds(200))
            } catch {
                if error != .timedOut { log.warning("Management flow wait failed: \(error).") }
                continue
            }
            while let (flow, type) = queue.next() {
                guard type.contains(.packet) else { continue }
                while let sdu = readSDU(flow) { routing.received(sdu, from: flow) }
            }
        }
    }

    /// The next SDU on `flow`, nil when none is waiting. An oversized SDU is
    /// dropped by the flow and counts as an empty (malformed) one.
    private func readSDU(_ flow: Flow) -> [UInt8]? {
        do {
            return try flow.read(maxLength: Self.maxSDU)
        } catch {
            return error == .messageSize ? [] : nil
        }
    }
}
