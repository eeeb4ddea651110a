#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// What a packet scheduler serves: it drains a flow that has packets, and
/// hears about the flow's other events.
public protocol PacketSchedulerClient: AnyObject, Sendable {
    /// Reads every packet waiting on `flow` (non-blocking) and processes it.
    /// `scratch` is this reader thread's buffer for one packet of any size.
    func drain(_ flow: Flow, cube: QoSCube, scratch: UnsafeMutableRawBufferPointer)
    /// `flow` went down, came back up, was deallocated or its peer timed out.
    func flowEvent(_ flow: Flow, _ event: FlowEventType)
}

/// Reader threads over flow sets, one set and one thread per QoS cube
/// (ipcps.md §6.4). Threads may ask for a real-time round-robin priority scaled
/// from the cube's; where that is not allowed they log it once and run at
/// normal priority. [ref-quirk] fixed: the reference fails to start without
/// real-time permission, and runs two threads per cube, which reorders
/// packets of one flow; one thread per cube keeps each flow in order.
///
/// Real-time priority is opt-in (`OUROBOROS_IPCP_REALTIME=1`): where the
/// data-path processes share few cores normal priority is much faster: every packet
/// handed over by a normal-priority process (a shim, ipcpd-local, the
/// application) wakes a real-time reader that preempts it at once, so the
/// handover degrades to one context switch per packet (measured on 2 cores:
/// 25 k vs 370 k packets/s through one unicast hop over ipcpd-local).
public final class PacketScheduler: Sendable {
    private let sets: [FlowEventSet]
    private let client: any PacketSchedulerClient
    private let running = Atomic<Bool>(true)
    private let name: String
    private let log = Logger(label: "psched")
    private static let warnedPriority = Atomic<Bool>(false)

    /// How long a reader waits before it checks whether to stop.
    static let pollMilliseconds = 100

    public init(name: String, client: any PacketSchedulerClient) throws(OuroError) {
        var sets: [FlowEventSet] = []
        for _ in QoSCube.allCases { sets.append(try FlowEventSet(announce: false)) }
        self.sets = sets
        self.client = client
        self.name = name
    }

    /// Starts the reader threads.
    public func start() {
        for cube in QoSCube.allCases {
            startThread { [self] in run(cube) }
        }
    }

    /// Makes the readers exit within their next poll.
    public func stop() { running.store(false, ordering: .relaxed) }

    /// Serves `flow` in `cube` from now on.
    public func add(_ flow: Flow, cube: QoSCube) throws(OuroError) {
        try sets[Int(cube.rawValue)].add(flow)
    }

    /// Stops serving `flow`.
    public func remove(_ flow: Flow) {
        for set in sets where set.contains(flow) { set.remove(flow) }
    }

    private func run(_ cube: QoSCube) {
        raisePriority(cube)
        let set = sets[Int(cube.rawValue)]
        let queue = FlowEventQueue()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: PacketScheduler.maxPacket, alignment: 16)
        defer { scratch.deallocate() }
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: .milliseconds(PacketScheduler.pollMilliseconds))
            } catch {
                if error != .timedOut { log.error("\(name) scheduler wait failed: \(error).") }
                continue
            }
            while let (flow, type) = queue.next() {
                if type.contains(.packet) { client.drain(flow, cube: cube, scratch: scratch) }
                let other = type.subtracting([.packet, .alloc])
                if !other.isEmpty { client.flowEvent(flow, other) }
            }
        }
    }

    /// The largest packet a pool block holds.
    static let maxPacket = PacketPool.maxPayload(ofClass: PacketPool.objectSizes.count - 1)

    /// Whether readers ask for real-time priority (`OUROBOROS_IPCP_REALTIME=1`;
    /// off by default, see the type's notes).
    static let realtime: Bool = getenv("OUROBOROS_IPCP_REALTIME").map { String(cString: $0) == "1" } ?? false

    /// SCHED_RR at the cube's priority mapped onto the system's range (Linux:
    /// 74 / 94 / 99 for BE / VIDEO / VOICE).
    private func raisePriority(_ cube: QoSCube) {
        guard PacketScheduler.realtime else { return }
        let low = sched_get_priority_min(Int32(SCHED_RR))
        let high = sched_get_priority_max(Int32(SCHED_RR))
        let base = (high - low) / 2
        var param = sched_param()
        param.sched_priority = base + cube.priority * (high - base) / 99
        let r = pthread_setschedparam(pthread_self(), Int32(SCHED_RR), &param)
        if r != 0 && !PacketScheduler.warnedPriority.exchange(true, ordering: .relaxed) {
            log.warning("Could not set real-time priority for packet schedulers: \(OuroError(code: r)); running at normal priority.")
        }
    }
}
