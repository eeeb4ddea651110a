#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A flow: a channel to a named process, through a layer or directly
/// (spec host.md §4.3). A `Flow` is a descriptor (`fd` ≥ 64), as in the
/// reference's `flow_alloc`/`flow_read`/`flow_write`.
public struct Flow: Sendable, Hashable {
    /// The flow descriptor.
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    /// `flow_alloc`: a flow to `name`. `timeout` nil means irmd's default
    /// (20 s, then `EPERM`, as the reference reports it). A QoS with
    /// `inOrder` gives an FRCT flow (spec host.md §6.1): in order and flow
    /// controlled, and with `loss == 0` (`.data`) reliable.
    public static func allocate(to name: String, qos: QoSSpec = .raw, timeout: Duration? = nil) throws(OuroError) -> Flow {
        var q = qos
        q.ber = 1
        let rt = try FlowRuntime.get()
        var m = irm_msg()
        m.code = .irmFlowAlloc
        m.dst = name
        m.flowInfo = rt.flowInfo(id: 0, qos: q)
        if let t = timeout { m.timeo = FlowRuntime.timespec(t) }
        let start = FRCTInstance.now
        let reply = try ControlChannel.irmd(m, instance: rt.instance)
        return try rt.complete(reply, roundTrip: FRCTInstance.now - start)
    }

    /// `flow_accept`: the next flow for any name this process is bound to;
    /// `timeout` nil waits forever. The flow's `qos` is the requester's.
    public static func accept(timeout: Duration? = nil) throws(OuroError) -> Flow {
        let rt = try FlowRuntime.get()
        var m = irm_msg()
        m.code = .irmFlowAccept
        var q = QoSSpec.raw
        q.ber = 1
        m.flowInfo = rt.flowInfo(id: 0, qos: q)
        if let t = timeout { m.timeo = FlowRuntime.timespec(t) }
        return try rt.complete(try ControlChannel.irmd(m, instance: rt.instance))
    }

    /// `flow_join`: a flow into the broadcast layer named `layer` (spec host.md
    /// §3.7.4): what it writes reaches every other member, and it reads what
    /// they write. No FRCT, no OAP, no encryption. `EIPCP` when no IPCP is in
    /// that layer, `ENOTALLOC` when its IPCP refuses the join.
    public static func join(layer: String, timeout: Duration? = nil) throws(OuroError) -> Flow {
        let rt = try FlowRuntime.get()
        var m = irm_msg()
        m.code = .irmFlowJoin
        m.dst = layer
        m.flowInfo = rt.flowInfo(id: 0, qos: .np1)
        if let t = timeout { m.timeo = FlowRuntime.timespec(t) }
        return try rt.complete(try ControlChannel.irmd(m, instance: rt.instance))
    }

    /// `flow_dealloc`: on an FRCT flow first lingers (spec host.md §6.9: until
    /// what was sent is acknowledged, with `.linger`), then waits (bounded)
    /// until the peer consumed what we wrote, tells irmd how long the layer
    /// should keep the flow, and unmaps it; the peer then reads `EFLOWDOWN`.
    public func deallocate() throws(OuroError) {
        let rt = try FlowRuntime.get()
        let e = try rt.endpoint(fd)
        let linger = e.frct.map { rt.lingerFRCT(e, $0) } ?? 0
        if e.tx.acl.intersection([.flowDown]).isEmpty {
            try? e.tx.waitUntilEmpty(.after(milliseconds: FlowRuntime.drainMilliseconds))
        }
        var m = irm_msg()
        m.code = .irmFlowDealloc
        m.flowInfo = rt.flowInfo(id: e.flowID, qos: e.qos)
        var ts = timespec_msg()
        ts.tvSec = UInt64(linger)
        ts.tvNsec = 0
        m.timeo = ts
        let reply = try? ControlChannel.irmd(m, instance: rt.instance)
        rt.unmap(e)
        guard let r = reply else { throw OuroError.irmd }
        if r.result < 0 { throw OuroError(result: r.result) }
    }

    /// `flow_write`: sends one packet (never fragmented). Returns `bytes.count`.
    /// Unlike the reference, a packet that cannot be queued (ring full, flow
    /// down, timeout) is an error, not a silent loss. On an FRCT flow a closed
    /// window blocks (`EAGAIN` when non-blocking; see `awaitSendWindow`). An
    /// empty write sends a keepalive, never delivered.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OuroError) -> Int {
        let rt = try FlowRuntime.get()
        let e = try rt.endpoint(fd)
        let (flags, timeout) = e.settings.withLock { ($0.flags, $0.sendTimeout) }
        guard flags.canWrite else { throw OuroError.permission }
        let nonBlocking = flags.contains(.writeNonBlocking)
        let mode = FlowEndpoint.mode(nonBlocking: nonBlocking, timeout: timeout)
        if let f = e.frct, bytes.count > 0 {
            var deadline: Deadline? = nil
            if case .until(let d) = mode { deadline = d }
            try rt.awaitSendWindow(e, f, nonBlocking: nonBlocking, deadline: deadline)
            try e.tx.waitForRoom(below: e.sendWindow(length: bytes.count), mode)
            try rt.sendFRCT(e, f, bytes, mode)
        } else {
            try e.tx.waitForRoom(below: e.sendWindow(length: bytes.count), mode)
            let buf = try e.allocate(length: bytes.count, mode)
            if bytes.count > 0 { buf.bytes.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            try e.writeLock.withLock { (_: inout ()) throws(OuroError) in try rt.transmit(e, buf, mode) }
        }
        e.settings.withLock { $0.lastSend = .now }
        return bytes.count
    }

    /// `flow_write` of a byte array.
    @discardableResult
    public func write(_ bytes: [UInt8]) throws(OuroError) -> Int {
        do {
            return try bytes.withUnsafeBytes { try write($0) }
        } catch {
            throw error as! OuroError
        }
    }

    /// `flow_read`: the next packet, or its first `buffer.count` bytes. Unlike the
    /// reference, the rest of a larger packet is kept for the next read (with
    /// `.readNoPartial` such a packet is dropped with `EMSGSIZE`). Keepalives are
    /// never delivered.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(OuroError) -> Int {
        let e = try FlowRuntime.get().endpoint(fd)
        return try e.readLock.withLock { (_: inout ()) throws(OuroError) -> Int in try FlowRuntime.read(e, into: buffer) }
    }

    /// `flow_read` into a new array of at most `maxLength` bytes.
    public func read(maxLength: Int = 65536) throws(OuroError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: maxLength)
        let n: Int
        do {
            n = try out.withUnsafeMutableBytes { try read(into: $0) }
        } catch {
            throw error as! OuroError
        }
        out.removeSubrange(n...)
        return out
    }
}

extension FlowRuntime {
    /// How long `deallocate` waits for the peer to consume what is queued.
    static let drainMilliseconds = 2000

    static func timespec(_ d: Duration) -> timespec_msg {
        let (s, atto) = d.components
        var t = timespec_msg()
        t.tvSec = UInt64(max(s, 0))
        t.tvNsec = UInt32(max(atto, 0) / 1_000_000_000)
        return t
    }

    func flowInfo(id: Int, qos: QoSSpec) -> flow_info_msg {
        var i = flow_info_msg()
        i.id = UInt32(id)
        i.nPid = UInt32(bitPattern: pid)
        i.n1Pid = 0
        i.mpl = 0
        i.state = 0
        i.qos = qos.message
        i.uid = 0
        return i
    }

    /// Maps the flow of an alloc/accept reply.
    /// `roundTrip`: how long the allocation took, FRCT's first RTT estimate.
    func complete(_ reply: irm_msg, roundTrip: Int64? = nil) throws(OuroError) -> Flow {
        guard reply.hasResult else { throw OuroError.irmd }
        if reply.result < 0 { throw OuroError(result: reply.result) }
        guard reply.hasFlowInfo else { throw OuroError.irmd }
        let info = reply.flowInfo
        let cipher: FlowCipher?
        do throws(OuroError) {
            cipher = try FlowRuntime.cipher(reply)
        } catch let e {
            if let fd = try? map(flowID: Int(info.id), peerPid: Int32(bitPattern: info.n1Pid), qos: QoSSpec(info.qos),
                                 mpl: info.mpl) {
                try? Flow(fd: fd).deallocate()
            }
            throw e
        }
        return Flow(fd: try map(flowID: Int(info.id), peerPid: Int32(bitPattern: info.n1Pid), qos: QoSSpec(info.qos),
                                mpl: info.mpl, cipher: cipher, roundTrip: roundTrip))
    }

    /// The receive side of the packet pipeline (spec host.md §4.8): decrypts a
    /// packet of an encrypted flow in place; false (drop it) when it does not
    /// authenticate. Keepalives (empty) are never encrypted.
    static func decrypt(_ e: FlowEndpoint, _ buf: PacketBuffer) -> Bool {
        guard let cipher = e.cipher, buf.length > 0 else { return true }
        return cipher.open(buf)
    }

    /// The cipher an alloc/accept reply delivers (spec host.md §7.10): none for
    /// `cipher_nid` 0, `ECRYPT` for an unknown cipher or a key that is not 32 bytes.
    static func cipher(_ reply: irm_msg) throws(OuroError) -> FlowCipher? {
        guard reply.hasCipherNid, reply.cipherNid != 0 else { return nil }
        guard let algorithm = UInt16(exactly: reply.cipherNid).flatMap(CipherAlgorithm.init(rawValue:)) else {
            throw OuroError.crypt
        }
        return try FlowCipher(algorithm: algorithm, key: [UInt8](reply.symKey))
    }

    static func read(_ e: FlowEndpoint, into buffer: UnsafeMutableRawBufferPointer) throws(OuroError) -> Int {
        let (flags, timeout, partial) = e.settings.withLock { ($0.flags, $0.receiveTimeout, $0.partial) }
        if let p = partial {
            let buf = try e.pool.buffer(at: p.offset)
            let n = min(buf.length - p.consumed, buffer.count)
            if n > 0 { buffer.baseAddress!.copyMemory(from: buf.bytes.baseAddress! + p.consumed, byteCount: n) }
            if p.consumed + n >= buf.length {
                e.settings.withLock { $0.partial = nil }
                try? e.pool.release(p.offset)
            } else {
                e.settings.withLock { $0.partial = (p.offset, p.consumed + n) }
            }
            return n
        }
        let mode = FlowEndpoint.mode(nonBlocking: flags.contains(.readNonBlocking), timeout: timeout)
        while true {
            let offset: Int
            if let f = e.frct {
                offset = try FlowRuntime.get().nextFRCTPacket(e, f, mode)
            } else {
                offset = try e.rx.read(mode)
                e.pool.adopt(offset)
                e.settings.withLock { $0.lastReceive = .now }
            }
            guard let buf = try? e.pool.buffer(at: offset) else { continue }
            if buf.length == 0 || (e.frct == nil && !FlowRuntime.decrypt(e, buf)) {
                try? e.pool.release(offset)
                continue
            }
            let len = buf.length
            if len > buffer.count {
                if flags.contains(.readNoPartial) {
                    try? e.pool.release(offset)
                    throw OuroError.messageSize
                }
                buffer.baseAddress!.copyMemory(from: buf.bytes.baseAddress!, byteCount: buffer.count)
                e.settings.withLock { $0.partial = (offset, buffer.count) }
                return buffer.count
            }
            buffer.baseAddress!.copyMemory(from: buf.bytes.baseAddress!, byteCount: len)
            try? e.pool.release(offset)
            return len
        }
    }
}
