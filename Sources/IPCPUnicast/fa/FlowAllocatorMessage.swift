import DevKit
import IPCPCommon

/// The flow allocator's message (ipcps.md §6.5.2, §9.2): a 61-byte header,
/// every multi-byte field big-endian, then a body (FLOW_REQ: the destination
/// digest and the piggy-backed payload; FLOW_REPLY: the reply payload).
public struct FlowAllocatorMessage: Sendable, Equatable {
    public enum Code: UInt8, Sendable {
        case request = 0
        case reply = 1
        case update = 2
    }

    /// The header size.
    public static let headerLength = 61
    /// The largest message accepted (larger ones are discarded, §10 item 27).
    public static let maxLength = 2048

    public var code: Code
    /// The requester's address (FLOW_REQ only).
    public var sourceAddress: Address
    /// The endpoint id at the receiving side.
    public var receiverEID: UInt64
    /// The endpoint id at the sending side.
    public var senderEID: UInt64
    /// The QoS the requester asked for (FLOW_REQ only; zero otherwise).
    public var qos: QoSSpec
    /// The responder's answer (FLOW_REPLY only).
    public var response: Int32
    /// The congestion level reported (FLOW_UPDATE only).
    public var ece: UInt16
    public var body: [UInt8]

    /// A QoS with every field 0, as in replies and updates.
    public static let noQoS = QoSSpec(delay: 0, bandwidth: 0, availability: 0, loss: 0, ber: 0, inOrder: 0,
                                      maxGap: 0, timeout: 0)

    public init(code: Code, sourceAddress: Address = .none, receiverEID: UInt64 = 0, senderEID: UInt64 = 0,
                qos: QoSSpec = FlowAllocatorMessage.noQoS, response: Int32 = 0, ece: UInt16 = 0, body: [UInt8] = []) {
        self.code = code
        self.sourceAddress = sourceAddress
        self.receiverEID = receiverEID
        self.senderEID = senderEID
        self.qos = qos
        self.response = response
        self.ece = ece
        self.body = body
    }

    /// Reads a message; `.invalid` when shorter than the header or with an
    /// unknown code, `.messageSize` when longer than 2048 bytes.
    public init(parsing bytes: [UInt8]) throws(OuroError) {
        guard bytes.count >= FlowAllocatorMessage.headerLength else { throw OuroError.invalid }
        guard bytes.count <= FlowAllocatorMessage.maxLength else { throw OuroError.messageSize }
        guard let code = Code(rawValue: bytes[58]) else { throw OuroError.invalid }
        func be(_ at: Int, _ n: Int) -> UInt64 { (at..<at + n).reduce(0) { $0 << 8 | UInt64(bytes[$1]) } }
        let qos = QoSSpec(delay: UInt32(be(36, 4)), bandwidth: be(24, 8), availability: bytes[59],
                          loss: UInt32(be(40, 4)), ber: UInt32(be(44, 4)), inOrder: bytes[60],
                          maxGap: UInt32(be(48, 4)), timeout: UInt32(be(52, 4)))
        self.init(code: code, sourceAddress: Address(be(0, 8)), receiverEID: be(8, 8), senderEID: be(16, 8),
                  qos: qos, response: Int32(bitPattern: UInt32(be(32, 4))), ece: UInt16(be(56, 2)),
                  body: Array(bytes[FlowAllocatorMessage.headerLength...]))
    }

    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(FlowAllocatorMessage.headerLength + body.count)
        func be(_ v: UInt64, _ n: Int) { for i in (0..<n).reversed() { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        be(sourceAddress.rawValue, 8)
        be(receiverEID, 8)
        be(senderEID, 8)
        be(qos.bandwidth, 8)
        be(UInt64(UInt32(bitPattern: response)), 4)
        be(UInt64(qos.delay), 4)
        be(UInt64(qos.loss), 4)
        be(UInt64(qos.ber), 4)
        be(UInt64(qos.maxGap), 4)
        be(UInt64(qos.timeout), 4)
        be(UInt64(ece), 2)
        out.append(code.rawValue)
        out.append(qos.availability)
        out.append(qos.inOrder)
        out.append(contentsOf: body)
        return out
    }
}
