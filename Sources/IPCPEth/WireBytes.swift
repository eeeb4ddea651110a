/// Big-endian field access on raw frame bytes (offsets are checked by the callers).
extension UnsafeRawBufferPointer {
    @inline(__always) func uint16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    @inline(__always) func uint32(at offset: Int) -> UInt32 {
        UInt32(uint16(at: offset)) << 16 | UInt32(uint16(at: offset + 2))
    }

    @inline(__always) func uint64(at offset: Int) -> UInt64 {
        UInt64(uint32(at: offset)) << 32 | UInt64(uint32(at: offset + 4))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func store(_ v: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: v >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always) func store(_ v: UInt32, at offset: Int) {
        store(UInt16(truncatingIfNeeded: v >> 16), at: offset)
        store(UInt16(truncatingIfNeeded: v), at: offset + 2)
    }

    @inline(__always) func store(_ v: UInt64, at offset: Int) {
        store(UInt32(truncatingIfNeeded: v >> 32), at: offset)
        store(UInt32(truncatingIfNeeded: v), at: offset + 4)
    }
}

/// Why a received frame was not accepted (each reason has its drop counter).
public enum FrameError: Error, Equatable, Sendable {
    /// Shorter than the fixed header.
    case short
    /// A length field that does not fit the frame.
    case badLength
    /// Another protocol: a different Ethertype (DIX), or an Ethertype where
    /// LLC expects an 802.3 length.
    case otherProtocol
}
