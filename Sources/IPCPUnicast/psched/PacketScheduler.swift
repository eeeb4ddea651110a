#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import Synchronization

/// What a packet scheduler serves: it drains a flow that has packets, and
/// hears about the flow's other events.
public protocol PacketSchedulerClient: AnyObject, Sendable {
    /// Reads packets waiting on `flow` (non-blocking) and processes them, at
    /// most `PacketScheduler.batch` per call so that one busy flow cannot
    /// starve the others. `scratch` is this reader thread's buffer for one
    /// packet of any size.
    func drain(_ flow: Flow, cube: QoSCube, scratch: UnsafeMutableRawBufferPointer) -> DrainOutcome
    /// `flow` went down, came back up, was deallocated or its peer timed out.
    func flowEvent(_ flow: Flow, _ event: FlowEventType)
}

/// How a drain left its flow.
public enum DrainOutcome: Sendable, Equatable {
    /// Nothing left to read.
    case empty
    /// The batch is spent and packets may be left: serve the flow again after
    /// the others.
    case more
    /// The flow may not send before `deadline` (congestion avoidance paces
    /// it): serve it again then, the others meanwhile.
    case paused(until: Deadline)
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
/// Without it the cubes are still ordered, by nice value (`nice(_:)`).
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

    /// Packets one drain processes at most.
    public static let batch = 64

    private func run(_ cube: QoSCube) {
        raisePriority(cube)
        let set = sets[Int(cube.rawValue)]
        let queue = FlowEventQueue()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: PacketScheduler.maxPacket, alignment: 16)
        defer { scratch.deallocate() }
        var backlog = Backlog()
        func serve(_ flow: Flow) {
            backlog.update(flow, client.drain(flow, cube: cube, scratch: scratch))
        }
        while running.load(ordering: .relaxed) {
            do {
                try set.wait(into: queue, timeout: backlog.timeout(poll: PacketScheduler.pollMilliseconds))
            } catch {
                if error != .timedOut { log.error("\(name) scheduler wait failed: \(error).") }
            }
            while let (flow, type) = queue.next() {
                // A flow in the backlog is served in its turn below.
                if type.contains(.packet) && !backlog.contains(flow) { serve(flow) }
                let other = type.subtracting([.packet, .alloc])
                if !other.isEmpty { client.flowEvent(flow, other) }
            }
            for flow in backlog.due(at: .now) { serve(flow) }
        }
    }

    /// The flows a reader returns to without a new event: those whose batch
    /// ran out (served again at once, round robin) and those paused until a
    /// deadline.
    struct Backlog {
        private var flows: [Flow] = []
        private var resume: [Flow: Deadline] = [:]

        func contains(_ flow: Flow) -> Bool { resume[flow] != nil }

        mutating func update(_ flow: Flow, _ outcome: DrainOutcome) {
            let deadline: Deadline
            switch outcome {
            case .empty:
                guard resume.removeValue(forKey: flow) != nil else { return }
                flows.removeAll { $0 == flow }
                return
            case .more: deadline = Deadline(nanoseconds: 0)
            case .paused(let until): deadline = until
            }
            if resume.updateValue(deadline, forKey: flow) == nil { flows.append(flow) }
        }

        /// The flows due at `now`, in the order they entered the backlog.
        func due(at now: Deadline) -> [Flow] {
            flows.filter { resume[$0]! <= now }
        }

        /// How long the reader may wait for new events: not at all when a
        /// flow is due, until the earliest pause ends, at most `poll` ms.
        func timeout(poll: Int) -> Duration {
            guard let earliest = resume.values.min() else { return .milliseconds(poll) }
            let ns = min(earliest.remainingNanoseconds, UInt64(poll) * 1_000_000)
            return .nanoseconds(Int64(ns))
        }
    }

    /// The largest packet a pool block holds.
    static let maxPacket = PacketPool.maxPayload(ofClass: PacketPool.objectSizes.count - 1)

    /// Whether readers ask for real-time priority (`OUROBOROS_IPCP_REALTIME=1`;
    /// off by default, see the type's notes).
    static let realtime: Bool = getenv("OUROBOROS_IPCP_REALTIME").map { String(cString: $0) == "1" } ?? false

    /// The cube's priority for its reader thread. With
    /// `OUROBOROS_IPCP_REALTIME=1`: SCHED_RR at the cube's priority mapped
    /// onto the system's range (Linux: 74 / 94 / 99 for BE / VIDEO / VOICE).
    /// Otherwise a nice value: 0 / -8 / -10, so that under load the video and
    /// voice readers get the CPU first without preempting on every packet
    /// (the best-effort reader, the busy one, stays at the default).
    private func raisePriority(_ cube: QoSCube) {
        guard PacketScheduler.realtime else {
            do {
                try setThreadNice(PacketScheduler.nice(cube))
            } catch {
                if !PacketScheduler.warnedPriority.exchange(true, ordering: .relaxed) {
                    log.warning("Could not raise the priority of the QoS cube schedulers: \(error); running them alike.")
                }
            }
            return
        }
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

    /// The nice value of a cube's reader without real-time priority: the
    /// cube's priority above best-effort's (50), scaled onto 0...-10.
    static func nice(_ cube: QoSCube) -> Int32 {
        -(cube.priority - QoSCube.bestEffort.priority) * 10 / (99 - QoSCube.bestEffort.priority)
    }
}
