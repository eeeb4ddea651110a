#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The FRCT of one flow in this process: its state machine behind a lock, and
/// the signal blocked writers wait on for a window update.
final class FRCTInstance: Sendable {
    let state: Mutex<FRCTState>
    /// Broadcast when the send window may have opened or the flow went down.
    let windowChanged = ConditionSignal()

    init(qos: QoSSpec, mplMilliseconds: UInt32, roundTrip: Int64? = nil) {
        state = Mutex(FRCTState(qos: qos, mplMilliseconds: mplMilliseconds, now: FRCTInstance.now, roundTrip: roundTrip))
    }

    /// The monotonic clock in ns, as FRCT counts time.
    static var now: Int64 { Int64(Deadline.now.nanoseconds) }
}
