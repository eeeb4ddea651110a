/// Flow flags (`fccntl` FLOWSFLAGS/FLOWGFLAGS), with the reference's values.
public struct FlowFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Access mode read-only: the access-mode field is 0.
    public static let readOnly: FlowFlags = []
    public static let writeOnly = FlowFlags(rawValue: 0o1)
    public static let readWrite = FlowFlags(rawValue: 0o2)
    /// Mask of the access-mode field.
    public static let accessMode = FlowFlags(rawValue: 0o3)
    /// Mark the flow down.
    public static let down = FlowFlags(rawValue: 0o4)
    public static let readNonBlocking = FlowFlags(rawValue: 0o1000)
    public static let writeNonBlocking = FlowFlags(rawValue: 0o2000)
    public static let nonBlocking = FlowFlags(rawValue: 0o3000)
    /// Disable partial reads: a packet larger than the buffer is an error.
    public static let readNoPartial = FlowFlags(rawValue: 0o10000)
    /// Disable partial writes (packets are never fragmented anyway).
    public static let writeNoPartial = FlowFlags(rawValue: 0o20000)
    /// The flags of a fresh flow.
    public static let `default`: FlowFlags = [.readWrite, .writeNoPartial]

    /// The access-mode field.
    var access: UInt32 { rawValue & FlowFlags.accessMode.rawValue }
    var canWrite: Bool { access == FlowFlags.writeOnly.rawValue || access == FlowFlags.readWrite.rawValue }
}
