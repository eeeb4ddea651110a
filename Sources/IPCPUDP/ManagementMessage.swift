import DevKit

/// Why a datagram was not accepted.
public enum DatagramError: Error, Equatable, Sendable {
    /// Shorter than its fixed part: `needed` bytes, `got` received.
    case short(needed: Int, got: Int)
    /// A management datagram whose endpoint id is not 0.
    case notManagement
    /// A management code other than FLOW_REQ (1) and FLOW_REPLY (2).
    case unknownCode(UInt8)
}

/// The 47-byte header of every management datagram (endpoint id 0; ipcps.md
/// §4.2), all multi-byte fields big-endian.
public struct ManagementHeader: Equatable, Sendable {
    public static let length = 47

    public enum Code: UInt8, Sendable {
        case flowRequest = 1
        case flowReply = 2
    }

    public var sourceEID: UInt32
    public var destinationEID: UInt32
    public var response: Int32
    /// The QoS fields (all zero in a FLOW_REPLY).
    public var qos: QoSSpec
    public var code: Code

    public init(sourceEID: UInt32, destinationEID: UInt32, response: Int32, qos: QoSSpec, code: Code) {
        self.sourceEID = sourceEID
        self.destinationEID = destinationEID
        self.response = response
        self.qos = qos
        self.code = code
    }

    /// QoS fields of a FLOW_REPLY.
    public static let noQoS = QoSSpec(delay: 0, bandwidth: 0, availability: 0, loss: 0, ber: 0, inOrder: 0, maxGap: 0, timeout: 0)

    /// Reads the header at the start of a datagram.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(DatagramError) {
        guard bytes.count >= Self.length else { throw .short(needed: Self.length, got: bytes.count) }
        var r = BigEndianReader(bytes)
        guard r.u32() == 0 else { throw .notManagement }
        sourceEID = r.u32()
        destinationEID = r.u32()
        response = Int32(bitPattern: r.u32())
        let bandwidth = r.u64()
        let delay = r.u32(), loss = r.u32(), ber = r.u32(), maxGap = r.u32(), timeout = r.u32()
        let rawCode = r.u8()
        guard let c = Code(rawValue: rawCode) else { throw .unknownCode(rawCode) }
        code = c
        let availability = r.u8(), inOrder = r.u8()
        qos = QoSSpec(delay: delay, bandwidth: bandwidth, availability: availability, loss: loss, ber: ber,
                      inOrder: inOrder, maxGap: maxGap, timeout: timeout)
    }

    /// The 47 header bytes.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.length)
        out.appendBigEndian(UInt32(0))
        out.appendBigEndian(sourceEID)
        out.appendBigEndian(destinationEID)
        out.appendBigEndian(UInt32(bitPattern: response))
        out.appendBigEndian(qos.bandwidth)
        for v in [qos.delay, qos.loss, qos.ber, qos.maxGap, qos.timeout] { out.appendBigEndian(v) }
        out += [code.rawValue, qos.availability, qos.inOrder]
        return out
    }
}

/// FLOW_REQ: the requester's endpoint id and requested QoS, then the MD5
/// digest of the destination name and the piggy-backed payload (ipcps.md §4.2).
public struct FlowRequest: Equatable, Sendable {
    public static let digestLength = 16

    public var requesterEID: UInt32
    public var qos: QoSSpec
    public var digest: [UInt8]
    public var payload: [UInt8]

    public init(requesterEID: UInt32, qos: QoSSpec, digest: [UInt8], payload: [UInt8]) {
        self.requesterEID = requesterEID
        self.qos = qos
        self.digest = digest
        self.payload = payload
    }

    /// Reads a whole datagram; it must hold the header and a full digest.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(DatagramError) {
        let header = try ManagementHeader(parsing: bytes)
        guard header.code == .flowRequest else { throw .unknownCode(header.code.rawValue) }
        try self.init(header: header, datagram: bytes)
    }

    init(header: ManagementHeader, datagram bytes: UnsafeRawBufferPointer) throws(DatagramError) {
        let needed = ManagementHeader.length + Self.digestLength
        guard bytes.count >= needed else { throw .short(needed: needed, got: bytes.count) }
        requesterEID = header.sourceEID
        qos = header.qos
        digest = Array(bytes[ManagementHeader.length..<needed])
        payload = Array(bytes[needed...])
    }

    public func serialize() -> [UInt8] {
        ManagementHeader(sourceEID: requesterEID, destinationEID: 0, response: 0, qos: qos, code: .flowRequest).serialize()
            + digest + payload
    }
}

/// FLOW_REPLY: `s_eid` carries the requester's endpoint id (echoed from the
/// request) and `d_eid` the responder's (ipcps.md §10, item 9); QoS fields are
/// zero; the body is the piggy-backed reply payload.
public struct FlowReply: Equatable, Sendable {
    public var requesterEID: UInt32
    public var responderEID: UInt32
    public var response: Int32
    public var payload: [UInt8]

    public init(requesterEID: UInt32, responderEID: UInt32, response: Int32, payload: [UInt8]) {
        self.requesterEID = requesterEID
        self.responderEID = responderEID
        self.response = response
        self.payload = payload
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DatagramError) {
        let header = try ManagementHeader(parsing: bytes)
        guard header.code == .flowReply else { throw .unknownCode(header.code.rawValue) }
        self.init(header: header, datagram: bytes)
    }

    init(header: ManagementHeader, datagram bytes: UnsafeRawBufferPointer) {
        requesterEID = header.sourceEID
        responderEID = header.destinationEID
        response = header.response
        payload = Array(bytes[ManagementHeader.length...])
    }

    public func serialize() -> [UInt8] {
        ManagementHeader(sourceEID: requesterEID, destinationEID: responderEID, response: response,
                         qos: ManagementHeader.noQoS, code: .flowReply).serialize() + payload
    }
}

/// A management datagram of either kind.
public enum ManagementMessage: Equatable, Sendable {
    case request(FlowRequest)
    case reply(FlowReply)

    public init(parsing bytes: UnsafeRawBufferPointer) throws(DatagramError) {
        let header = try ManagementHeader(parsing: bytes)
        switch header.code {
        case .flowRequest: self = .request(try FlowRequest(header: header, datagram: bytes))
        case .flowReply: self = .reply(FlowReply(header: header, datagram: bytes))
        }
    }

    public func serialize() -> [UInt8] {
        switch self {
        case .request(let r): return r.serialize()
        case .reply(let r): return r.serialize()
        }
    }
}
