/// A flow's quality of service (spec host.md §4.6).
public struct QoSSpec: Sendable, Equatable {
    public var delay: UInt32
    public var bandwidth: UInt64
    public var availability: UInt8
    public var loss: UInt32
    public var ber: UInt32
    public var inOrder: UInt8
    public var maxGap: UInt32
    public var timeout: UInt32

    public init(delay: UInt32, bandwidth: UInt64, availability: UInt8, loss: UInt32, ber: UInt32,
                inOrder: UInt8, maxGap: UInt32, timeout: UInt32) {
        self.delay = delay
        self.bandwidth = bandwidth
        self.availability = availability
        self.loss = loss
        self.ber = ber
        self.inOrder = inOrder
        self.maxGap = maxGap
        self.timeout = timeout
    }

    /// The reference's default peer timeout, in ms.
    public static let defaultPeerTimeout: UInt32 = 120_000

    public static let raw = QoSSpec(delay: .max, bandwidth: 0, availability: 0, loss: 1, ber: 1, inOrder: 0, maxGap: .max, timeout: defaultPeerTimeout)
    public static let rawNoErrors = QoSSpec(delay: .max, bandwidth: 0, availability: 0, loss: 1, ber: 0, inOrder: 0, maxGap: .max, timeout: defaultPeerTimeout)
    public static let bestEffort = QoSSpec(delay: .max, bandwidth: 0, availability: 0, loss: 1, ber: 0, inOrder: 1, maxGap: .max, timeout: defaultPeerTimeout)
    public static let video = QoSSpec(delay: 100, bandwidth: .max, availability: 3, loss: 1, ber: 0, inOrder: 1, maxGap: 100, timeout: defaultPeerTimeout)
    public static let voice = QoSSpec(delay: 50, bandwidth: 100_000, availability: 5, loss: 1, ber: 0, inOrder: 1, maxGap: 50, timeout: defaultPeerTimeout)
    public static let data = QoSSpec(delay: 1000, bandwidth: 0, availability: 0, loss: 0, ber: 0, inOrder: 1, maxGap: 2000, timeout: defaultPeerTimeout)
    /// The IPCP side of flows and broadcast joins.
    public static let np1 = QoSSpec(delay: .max, bandwidth: 0, availability: 0, loss: .max, ber: .max, inOrder: 0, maxGap: .max, timeout: 0)

    /// The protobuf form.
    public var message: qosspec_msg {
        var m = qosspec_msg()
        m.delay = delay
        m.bandwidth = bandwidth
        m.availability = UInt32(availability)
        m.loss = loss
        m.ber = ber
        m.inOrder = UInt32(inOrder)
        m.maxGap = maxGap
        m.timeout = timeout
        return m
    }

    /// From the protobuf form (8-bit fields truncated as in the reference).
    public init(_ m: qosspec_msg) {
        self.init(delay: m.delay, bandwidth: m.bandwidth, availability: UInt8(truncatingIfNeeded: m.availability),
                  loss: m.loss, ber: m.ber, inOrder: UInt8(truncatingIfNeeded: m.inOrder), maxGap: m.maxGap,
                  timeout: m.timeout)
    }
}
