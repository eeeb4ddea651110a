/// Sequence numbers at the start of operf and ocbr data packets, in host order
/// (spec host.md §9.2, §9.3).
public enum SequencePayload {
    /// operf: the first 4 bytes hold the packet counter.
    public static func storeOPerf(_ seq: UInt32, into buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: seq, toByteOffset: 0, as: UInt32.self)
    }

    /// operf's packet counter, nil if the packet is shorter than 4 bytes.
    public static func loadOPerf(_ buffer: UnsafeRawBufferPointer) -> UInt32? {
        buffer.count >= 4 ? buffer.loadUnaligned(as: UInt32.self) : nil
    }

    /// ocbr: the first 8 bytes hold the packet counter (nothing if the packet is shorter).
    public static func storeOCBR(_ seq: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= 8 else { return }
        buffer.storeBytes(of: seq, toByteOffset: 0, as: UInt64.self)
    }

    /// ocbr's packet counter, nil if the packet is shorter than 8 bytes.
    public static func loadOCBR(_ buffer: UnsafeRawBufferPointer) -> UInt64? {
        buffer.count >= 8 ? buffer.loadUnaligned(as: UInt64.self) : nil
    }
}
