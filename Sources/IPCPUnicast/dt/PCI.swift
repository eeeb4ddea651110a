import DevKit
import IPCPCommon

/// The data transfer PCI (ipcps.md §6.3.1, §9.1) with the flat address
/// authority's 4-byte addresses and the DT's 8-byte eids: 15 bytes,
/// `dst(4) qc(1) ttl(1) ecn(1) eid(8)`. Address and eid are little-endian
/// (the reference writes host order, §10 item 1); there is no source
/// address, length, checksum or sequence number.
public struct PCI: Sendable, Equatable {
    /// Bytes of the destination address.
    public static let addressSize = 4
    /// Bytes of the endpoint id.
    public static let eidSize = 8
    /// The whole PCI.
    public static let length = addressSize + 3 + eidSize

    static let cubeOffset = addressSize
    static let ttlOffset = addressSize + 1
    static let ecnOffset = addressSize + 2
    static let eidOffset = addressSize + 3

    /// Where the packet goes (its low 4 bytes travel).
    public var destination: Address
    /// The cube the sender chose; written, never used on receive (§10 item 4).
    public var cube: UInt8
    public var ttl: UInt8
    /// Congestion level, OR-ed in by the sender and every hop.
    public var ecn: UInt8
    /// The endpoint at the destination: a component (< 64) or an N+1 flow.
    public var eid: UInt64

    public init(destination: Address, cube: UInt8, ttl: UInt8, ecn: UInt8, eid: UInt64) {
        self.destination = destination
        self.cube = cube
        self.ttl = ttl
        self.ecn = ecn
        self.eid = eid
    }

    /// Reads the PCI at the start of `bytes`; `.invalid` when shorter than a PCI.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(OuroError) {
        guard bytes.count >= PCI.length else { throw OuroError.invalid }
        var address: UInt64 = 0
        for i in 0..<PCI.addressSize { address |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        var eid: UInt64 = 0
        for i in 0..<PCI.eidSize { eid |= UInt64(bytes[PCI.eidOffset + i]) << (8 * UInt64(i)) }
        self.init(destination: Address(address), cube: bytes[PCI.cubeOffset], ttl: bytes[PCI.ttlOffset],
                  ecn: bytes[PCI.ecnOffset], eid: eid)
    }

    public init(parsing bytes: [UInt8]) throws(OuroError) {
        let pci: PCI? = bytes.withUnsafeBytes { try? PCI(parsing: $0) }
        guard let pci else { throw OuroError.invalid }
        self = pci
    }

    /// Writes the PCI into the first `PCI.length` bytes of `out`.
    public func serialize(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= PCI.length)
        for i in 0..<PCI.addressSize { out[i] = UInt8(truncatingIfNeeded: destination.rawValue >> (8 * UInt64(i))) }
        out[PCI.cubeOffset] = cube
        out[PCI.ttlOffset] = ttl
        out[PCI.ecnOffset] = ecn
        for i in 0..<PCI.eidSize { out[PCI.eidOffset + i] = UInt8(truncatingIfNeeded: eid >> (8 * UInt64(i))) }
    }

    public func serialize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: PCI.length)
        out.withUnsafeMutableBytes { serialize(into: $0) }
        return out
    }
}
