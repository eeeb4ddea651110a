import IPCPUnicast
import Synchronization

/// A clock the test advances by hand.
final class ManualTime: TimeSource {
    private let seconds: Mutex<Double>

    init(_ start: Double = 1_796_000_000) { seconds = Mutex(start) }

    var now: Double { seconds.withLock { $0 } }

    func advance(by delta: Double) { seconds.withLock { $0 += delta } }
}
