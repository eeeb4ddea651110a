import DevKit
import Synchronization

/// One outstanding directory lookup of a shim IPCP (ipcps.md §2.12): created,
/// then waited on until a response for its digest arrives, it times out, or it
/// is destroyed.
public final class DirectoryQuery: Sendable {
    enum State {
        case initial, pending, response, done, destroy
    }

    /// The digest looked up.
    public let digest: [UInt8]
    let state = Mutex(State.initial)
    private let signal = ConditionSignal()

    init(digest: [UInt8]) { self.digest = digest }

    /// Waits for the answer until `deadline`. Throws `.timedOut` when none came,
    /// `.failure` when the query was destroyed, `.invalid` if it was already waited on.
    public func wait(until deadline: Deadline) throws(OuroError) {
        let started = state.withLock { s -> Bool in
            guard s == .initial else { return false }
            s = .pending
            return true
        }
        guard started else { throw OuroError.invalid }
        signal.wait(until: deadline) { state.withLock { $0 != .pending } }
        let outcome = state.withLock { s -> State in
            let seen = s
            s = .done
            return seen
        }
        signal.broadcast()
        switch outcome {
        case .response: return
        case .destroy: throw OuroError.failure
        default: throw OuroError.timedOut
        }
    }

    /// Hands the answer to a waiting query and returns once the waiter took it;
    /// false (nothing done) if nobody is waiting on this query.
    func respond() -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard s == .pending else { return false }
            s = .response
            return true
        }
        guard accepted else { return false }
        signal.broadcast()
        signal.wait { state.withLock { $0 != .response } }
        return true
    }

    /// Wakes a waiter (which then fails) and returns once the query is finished.
    func destroy() {
        state.withLock { s in
            switch s {
            case .initial: s = .done
            case .pending: s = .destroy
            case .response, .done, .destroy: break
            }
        }
        signal.broadcast()
        signal.wait { state.withLock { $0 == .done } }
    }
}

/// The outstanding directory lookups of a shim IPCP.
public final class DirectoryQueries: Sendable {
    private let queries = Mutex<[DirectoryQuery]>([])

    public init() {}

    /// A new query for `digest`, to be waited on and then destroyed.
    public func make(_ digest: [UInt8]) -> DirectoryQuery {
        let query = DirectoryQuery(digest: digest)
        queries.withLock { $0.append(query) }
        return query
    }

    /// Wakes the most recent query waiting for `digest`, and returns once it
    /// took the answer. A response nobody waits for is ignored.
    public func respond(_ digest: [UInt8]) {
        let candidates = queries.withLock { list in Array(list.filter { $0.digest == digest }.reversed()) }
        for query in candidates where query.respond() { return }
    }

    /// Removes `query`, waking its waiter if it still waits.
    public func destroy(_ query: DirectoryQuery) {
        queries.withLock { $0.removeAll { $0 === query } }
        query.destroy()
    }

    /// Destroys every query (at shutdown).
    public func destroyAll() {
        let all = queries.withLock { list -> [DirectoryQuery] in
            defer { list.removeAll() }
            return list
        }
        for query in all { query.destroy() }
    }
}
