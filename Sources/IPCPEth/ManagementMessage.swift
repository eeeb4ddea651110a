import DevKit

/// A management message of the Ethernet shims (ipcps.md §5.3): a fixed header
/// carrying endpoints, QoS and a response, then a body (a name digest and/or
/// a piggy-backed allocation payload). All multi-byte fields are big-endian.
///
/// DIX header (39 bytes): seid 2, deid 2, loss 4, bandwidth 8, ber 4, max_gap 4,
/// delay 4, timeout 4, response 4, in_order 1, code 1, availability 1.
/// LLC header (37 bytes): ssap 1, dsap 1, code 1, availability 1, loss 4,
/// bandwidth 8, ber 4, max_gap 4, delay 4, timeout 4, response 4, in_order 1.
/// LLC SAPs in here are logical values, not bit-reversed.
public struct ManagementMessage: Equatable, Sendable {
    public enum Code: UInt8, Sendable {
        case flowRequest = 0
        case flowReply = 1
        case nameQueryRequest = 2
        case nameQueryReply = 3
    }

    /// Which shim's header layout.
    public enum Layout: Sendable {
        case dix, llc

        /// Bytes before the body.
        public var headerLength: Int { self == .dix ? 39 : 37 }
    }

    /// Why a management message was refused.
    public enum ParseError: Error, Equatable, Sendable {
        case short
        case unknownCode(UInt8)
    }

    /// A QoS with every field zero, for messages that carry none.
    public static let noQoS = QoSSpec(delay: 0, bandwidth: 0, availability: 0, loss: 0, ber: 0,
                                      inOrder: 0, maxGap: 0, timeout: 0)

    public var code: Code
    /// The sender's endpoint: DIX seid (its flow), LLC ssap.
    public var sourceEndpoint: UInt16
    /// The receiver's endpoint: DIX deid, LLC dsap.
    public var destinationEndpoint: UInt16
    public var qos: QoSSpec
    public var response: Int32
    public var body: [UInt8]

    public init(code: Code, sourceEndpoint: UInt16 = 0, destinationEndpoint: UInt16 = 0,
                qos: QoSSpec = ManagementMessage.noQoS, response: Int32 = 0, body: [UInt8] = []) {
        self.code = code
        self.sourceEndpoint = sourceEndpoint
        self.destinationEndpoint = destinationEndpoint
        self.qos = qos
        self.response = response
        self.body = body
    }

    /// Reads a message (a frame's payload) in `layout`.
    public init(parsing bytes: UnsafeRawBufferPointer, layout: Layout) throws(ParseError) {
        guard bytes.count >= layout.headerLength else { throw .short }
        let codeByte: UInt8
        let availability: UInt8
        let inOrder: UInt8
        let q: Int
        switch layout {
        case .dix:
            sourceEndpoint = bytes.uint16(at: 0)
            destinationEndpoint = bytes.uint16(at: 2)
            q = 4
            inOrder = bytes[36]
            codeByte = bytes[37]
            availability = bytes[38]
        case .llc:
            sourceEndpoint = UInt16(bytes[0])
            destinationEndpoint = UInt16(bytes[1])
            codeByte = bytes[2]
            availability = bytes[3]
            q = 4
            inOrder = bytes[36]
        }
        guard let c = Code(rawValue: codeByte) else { throw .unknownCode(codeByte) }
        code = c
        qos = QoSSpec(delay: bytes.uint32(at: q + 20), bandwidth: bytes.uint64(at: q + 4), availability: availability,
                      loss: bytes.uint32(at: q), ber: bytes.uint32(at: q + 12), inOrder: inOrder,
                      maxGap: bytes.uint32(at: q + 16), timeout: bytes.uint32(at: q + 24))
        response = Int32(bitPattern: bytes.uint32(at: q + 28))
        body = Array(bytes[layout.headerLength...])
    }

    /// The message's bytes in `layout`. LLC endpoints are SAPs (low 8 bits).
    public func serialize(layout: Layout) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: layout.headerLength + body.count)
        bytes.withUnsafeMutableBytes { b in
            switch layout {
            case .dix:
                b.store(sourceEndpoint, at: 0)
                b.store(destinationEndpoint, at: 2)
                b[36] = qos.inOrder
                b[37] = code.rawValue
                b[38] = qos.availability
            case .llc:
                b[0] = UInt8(truncatingIfNeeded: sourceEndpoint)
                b[1] = UInt8(truncatingIfNeeded: destinationEndpoint)
                b[2] = code.rawValue
                b[3] = qos.availability
                b[36] = qos.inOrder
            }
            b.store(qos.loss, at: 4)
            b.store(qos.bandwidth, at: 8)
            b.store(qos.ber, at: 16)
            b.store(qos.maxGap, at: 20)
            b.store(qos.delay, at: 24)
            b.store(qos.timeout, at: 28)
            b.store(UInt32(bitPattern: response), at: 32)
            for (i, byte) in body.enumerated() { b[layout.headerLength + i] = byte }
        }
        return bytes
    }
}
