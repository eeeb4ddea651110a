/// What FRCT does on a flow (`fccntl` FRCTSFLAGS/FRCTGFLAGS, spec host.md
/// §4.4), with the reference's values. Set by the QoS (§6.1): `in_order` gives
/// `.resourceControl`; `loss == 0` adds `.retransmission` and `.linger`.
public struct FRCTFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Retransmission (and, at the receiver, delayed acknowledgements).
    public static let retransmission = FRCTFlags(rawValue: 0o1)
    /// Flow control by the receiver's window.
    public static let resourceControl = FRCTFlags(rawValue: 0o2)
    /// `deallocate` waits until everything sent is acknowledged.
    public static let linger = FRCTFlags(rawValue: 0o4)
}
