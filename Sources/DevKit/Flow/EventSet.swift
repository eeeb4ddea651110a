import Synchronization

/// `fset_t`: a set of flows whose events a thread waits for (spec host.md §4.5).
public final class FlowEventSet: Sendable {
    let index: Int
    private let runtime: FlowRuntime

    /// `fset_create`: `ENOMEM` when the process has no free set (31 at most).
    /// An IPCP daemon, which announces itself, passes `announce: false`.
    public init(announce: Bool = true) throws(OuroError) {
        runtime = try FlowRuntime.get(announce: announce)
        index = try runtime.allocateSetIndex()
    }

    deinit { runtime.releaseSetIndex(index) }

    /// `fset_add`: `EPERM` if the flow is in another set. Packets already queued
    /// are reported at once. An FRCT flow leaves the internal set.
    public func add(_ flow: Flow) throws(OuroError) {
        let e = try runtime.endpoint(flow.fd)
        if e.frct != nil { runtime.flowSets.remove(e.flowID, from: FlowRuntime.internalSet) }
        do {
            try runtime.flowSets.add(e.flowID, to: index)
        } catch {
            if e.frct != nil { try? runtime.flowSets.add(e.flowID, to: FlowRuntime.internalSet) }
            throw error
        }
        let ready = e.frct?.state.withLock { $0.deliverable > 0 } ?? false
        if e.rx.count > 0 || ready { runtime.flowSets.notify(e.flowID, .packet) }
    }

    /// `fset_del`. An FRCT flow goes back to the internal set.
    public func remove(_ flow: Flow) {
        guard let e = try? runtime.endpoint(flow.fd) else { return }
        runtime.flowSets.remove(e.flowID, from: index)
        if e.frct != nil { try? runtime.flowSets.add(e.flowID, to: FlowRuntime.internalSet) }
    }

    /// `fset_has`.
    public func contains(_ flow: Flow) -> Bool {
        guard let e = try? runtime.endpoint(flow.fd) else { return false }
        return runtime.flowSets.contains(e.flowID, in: index)
    }

    /// `fset_zero`.
    public func removeAll() { runtime.flowSets.zero(index) }

    /// `fevent`: waits for events on the set (nil: forever) and puts all of them
    /// in `queue`; returns at once if `queue` still has unread events.
    /// `ETIMEDOUT` when none came in time. On FRCT flows packets are taken
    /// through FRCT first: a packet event is reported once per packet that is
    /// ready in order, control packets silently (spec host.md §4.5).
    public func wait(into queue: FlowEventQueue, timeout: Duration? = nil) throws(OuroError) {
        if queue.hasPending { return }
        let mode = FlowEndpoint.mode(nonBlocking: false, timeout: timeout)
        while true {
            let events = try runtime.flowSets.wait(index, mode)
            var reported: [Int32: Int] = [:]
            let mapped = events.compactMap { ev -> (Flow, FlowEventType)? in
                guard let fd = runtime.fd(flowID: ev.flowID) else { return nil }
                guard ev.type == .packet, let e = try? runtime.endpoint(fd), let f = e.frct else {
                    return (Flow(fd: fd), ev.type)
                }
                _ = e.readLock.withLockIfAvailable { _ in runtime.pumpFRCT(e, f, wait: true) }
                let n = reported[fd, default: 0]
                guard n < f.state.withLock({ $0.deliverable }) else { return nil }
                reported[fd] = n + 1
                return (Flow(fd: fd), ev.type)
            }
            if !mapped.isEmpty {
                queue.fill(mapped)
                return
            }
        }
    }
}

/// `fqueue_t`: the events one `wait` collected, read one at a time.
public final class FlowEventQueue: Sendable {
    private let state = Mutex<(events: [(Flow, FlowEventType)], next: Int)>(([], 0))

    public init() {}

    var hasPending: Bool { state.withLock { $0.next < $0.events.count } }

    func fill(_ events: [(Flow, FlowEventType)]) { state.withLock { $0 = (events, 0) } }

    /// `fqueue_next` + `fqueue_type`: the next event, nil when all were read.
    public func next() -> (flow: Flow, type: FlowEventType)? {
        state.withLock { s in
            guard s.next < s.events.count else { return nil }
            defer { s.next += 1 }
            return s.events[s.next]
        }
    }
}
