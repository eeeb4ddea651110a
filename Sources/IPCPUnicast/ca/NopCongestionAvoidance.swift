import DevKit

/// The `nop` policy (ipcps.md §6.6.1): no pacing, no reports, no marking;
/// the ECN byte is carried but never set.
public struct NopCongestionAvoidance: CongestionAvoidance {
    public init() {}

    public func makeContext() -> any CongestionContext { NopContext.shared }

    public func marking(_ flow: Flow, queued: Int, window: Int, originated: Bool) -> UInt8 { 0 }

    private final class NopContext: CongestionContext {
        static let shared = NopContext()
        func sending(length: Int) -> UInt64 { 0 }
        func received(length: Int, ecn: UInt8) -> UInt16? { nil }
        func congestionReported(_ ece: UInt16) {}
        var summary: [(String, String)] { [("congestion avoidance", "none")] }
    }
}
