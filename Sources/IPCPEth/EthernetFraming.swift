#if canImport(Glibc)
import Glibc
#endif
import COuro

/// The endpoints a frame names, as the receiver reads them.
public struct FrameEndpoints: Equatable, Sendable {
    /// The receiver's endpoint: DIX eid, LLC DSAP (logical).
    public var destination: UInt16
    /// The sender's endpoint: LLC SSAP (logical); DIX frames carry none (0).
    public var source: UInt16

    public init(destination: UInt16, source: UInt16) {
        self.destination = destination
        self.source = source
    }
}

/// A frame the receiver accepted: who sent it, to which endpoint, and where
/// the payload lies within the frame.
public struct ReceivedFrame: Equatable, Sendable {
    public let source: MACAddress
    public let endpoints: FrameEndpoints
    public let isManagement: Bool
    public let payload: Range<Int>
}

/// The framing of one of the two Ethernet shims (ipcps.md §5.1, §5.2).
public enum EthernetFraming: Equatable, Sendable {
    case dix(ethertype: UInt16)
    case llc

    /// The logical SAP of LLC management frames (both DSAP and SSAP).
    public static let managementSAP: UInt16 = 0x01

    /// Bytes in front of the payload.
    public var headerLength: Int {
        switch self {
        case .dix: return DIXHeader.length
        case .llc: return LLCHeader.length
        }
    }

    /// The shim's header bytes that count against the MTU.
    public var shimLength: Int {
        switch self {
        case .dix: return DIXHeader.shimLength
        case .llc: return LLCHeader.shimLength
        }
    }

    /// The largest MTU the framing can use (DIX: 16-bit lengths; LLC: 802.3).
    public var mtuLimit: Int {
        switch self {
        case .dix: return 65535
        case .llc: return 1500
        }
    }

    /// The management message layout.
    public var layout: ManagementMessage.Layout {
        switch self {
        case .dix: return .dix
        case .llc: return .llc
        }
    }

    /// The frames' protocol for the packet socket (host order).
    public var socketProtocol: UInt16 {
        switch self {
        case .dix(let ethertype): return ethertype
        case .llc: return couro_eth_p_802_2()
        }
    }

    /// The endpoints of management frames.
    public var managementEndpoints: FrameEndpoints {
        switch self {
        case .dix: return FrameEndpoints(destination: 0, source: 0)
        case .llc: return FrameEndpoints(destination: Self.managementSAP, source: Self.managementSAP)
        }
    }

    /// The MTU a layer uses on an interface named `device` with MTU `deviceMTU`.
    public func mtu(device: String, deviceMTU: Int) -> Int {
        let mtu = min(mtuLimit, deviceMTU)
        return device.hasPrefix("lo") ? min(mtu, 9000) : mtu
    }

    /// Reads a complete received frame.
    public func parse(_ frame: UnsafeRawBufferPointer) throws(FrameError) -> ReceivedFrame {
        switch self {
        case .dix(let ethertype):
            let h = try DIXHeader(parsing: frame)
            guard h.ethertype == ethertype else { throw .otherProtocol }
            return ReceivedFrame(source: h.source, endpoints: FrameEndpoints(destination: h.eid, source: 0),
                                 isManagement: h.eid == 0,
                                 payload: DIXHeader.length..<DIXHeader.length + Int(h.payloadLength))
        case .llc:
            let h = try LLCHeader(parsing: frame)
            let endpoints = FrameEndpoints(destination: UInt16(h.dsap), source: UInt16(h.ssap))
            return ReceivedFrame(source: h.source, endpoints: endpoints,
                                 isManagement: endpoints == managementEndpoints,
                                 payload: LLCHeader.length..<LLCHeader.length + Int(h.payloadLength))
        }
    }

    /// Writes the header of a frame carrying `payloadLength` bytes into the
    /// first `headerLength` bytes of `buffer`. For LLC, `endpoints.source` is
    /// the local SAP and `endpoints.destination` the peer's.
    public func writeHeader(into buffer: UnsafeMutableRawBufferPointer, destination: MACAddress, source: MACAddress,
                            endpoints: FrameEndpoints, payloadLength: Int) {
        switch self {
        case .dix(let ethertype):
            DIXHeader(destination: destination, source: source, ethertype: ethertype, eid: endpoints.destination,
                      payloadLength: UInt16(payloadLength)).serialize(into: buffer)
        case .llc:
            LLCHeader(destination: destination, source: source, dsap: UInt8(truncatingIfNeeded: endpoints.destination),
                      ssap: UInt8(truncatingIfNeeded: endpoints.source), payloadLength: UInt16(payloadLength))
                .serialize(into: buffer)
        }
    }

    /// A complete frame: header then `payload`.
    public func frame(destination: MACAddress, source: MACAddress, endpoints: FrameEndpoints,
                      payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerLength + payload.count)
        bytes.withUnsafeMutableBytes { b in
            writeHeader(into: b, destination: destination, source: source, endpoints: endpoints,
                        payloadLength: payload.count)
            for (i, byte) in payload.enumerated() { b[headerLength + i] = byte }
        }
        return bytes
    }
}
