/// A zeroed buffer a tool reads packets into and writes them from, allocated
/// once per loop; `free` it when the loop ends.
public struct IOBuffer {
    public let bytes: UnsafeMutableRawBufferPointer

    public init(size: Int) {
        bytes = .allocate(byteCount: max(size, 1), alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// The first `n` bytes.
    public func prefix(_ n: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[..<n])
    }

    public func free() { bytes.deallocate() }
}
