import DevKit
import IPCPKit
import Logging
import Synchronization

/// The local IPCP's data path: waits for packets on the N+1 flows and moves
/// each to the paired flow, without a copy when both ends share a pool. A
/// destination whose ring is full keeps its packets waiting at the source (the
/// sender feels back pressure) and is retried every millisecond.
final class PacketLoop: Sendable {
    private let flows: FlowTable
    private let set: FlowEventSet
    private let running = Atomic<Bool>(true)
    private let log = Logger(label: "ipcpd-local")

    init(flows: FlowTable) throws(OuroError) {
        self.flows = flows
        self.set = try FlowEventSet(announce: false)
    }

    /// Starts the loop's thread.
    func start() {
        startThread { [self] in run() }
    }

    /// Makes the loop exit within its next wait.
    func stop() { running.store(false, ordering: .relaxed) }

    /// Watches the N+1 flow `flowID` for packets.
    func watch(_ flowID: Int32) {
        guard let flow = flows.flow(flowID)?.flow else { return }
        do {
            try set.add(flow)
        } catch {
            log.error("Failed to add flow \(flowID) to the packet loop: \(error).")
        }
    }

    private func run() {
        let queue = FlowEventQueue()
        var waiting: Set<Flow> = []
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: waiting.isEmpty ? .milliseconds(100) : .milliseconds(1))
            } catch {
                if error != .timedOut { log.error("Packet loop wait failed: \(error).") }
            }
            var ready = waiting
            while let (flow, type) = queue.next() {
                if type.contains(.packet) { ready.insert(flow) }
            }
            waiting = []
            for source in ready where forward(from: source) { waiting.insert(source) }
        }
    }

    /// Moves what waits on `source` to its peer; true when packets are left
    /// because the peer's ring is full.
    private func forward(from source: Flow) -> Bool {
        guard let id = try? source.flowID(),
              let peer = flows.peer(of: Int32(id)),
              let destination = flows.flow(peer)?.flow else {
            source.discardPending()
            return false
        }
        do {
            while try source.transfer(to: destination) {}
            return ((try? source.receiveQueueLength()) ?? 0) > 0
        } catch {
            source.discardPending()
            return false
        }
    }
}
