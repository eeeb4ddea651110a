#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit

/// A raw AF_PACKET socket on one interface, receiving the frames of one
/// protocol (DIX: the layer's Ethertype; LLC: 802.2) and sending complete
/// frames. The kernel filters by protocol (the reference binds ETH_P_ALL and
/// filters every frame on the link in user space) and never loops our own
/// sent frames back.
///
/// Frames arrive either one `recv` per frame or through a TPACKET_V3 ring
/// (one wake-up per block of frames; a block is handed over when full or
/// after the retire timeout, so the ring trades latency for throughput).
public final class PacketSocket: @unchecked Sendable {
    /// How received frames are read.
    public enum ReceiveMode: Sendable, Equatable {
        case perFrame
        case ring(blocks: Int, retireMilliseconds: Int)
    }

    /// The longest a send may block on a full socket buffer.
    static let sendTimeoutMilliseconds = 100
    /// Frames one `sendBatch` hands to the kernel at most.
    public static let maxBatch = 64

    public let fd: Int32
    public let ifindex: Int32
    /// The largest frame this socket receives whole.
    public let maxFrame: Int
    private var ring = couro_rx_ring()
    private let usesRing: Bool
    private var scratch: UnsafeMutableRawBufferPointer

    /// Opens the socket on interface `ifindex` for `proto` frames of at most `maxFrame` bytes.
    public init(ifindex: Int32, protocol proto: UInt16, maxFrame: Int, receive mode: ReceiveMode) throws(OuroError) {
        let fd = couro_packet_open(ifindex, proto)
        guard fd >= 0 else { throw OuroError(code: -fd) }
        var tv = timeval(tv_sec: 0, tv_usec: Int(Self.sendTimeoutMilliseconds) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        self.ifindex = ifindex
        self.maxFrame = maxFrame
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: maxFrame, alignment: 16)
        switch mode {
        case .perFrame:
            usesRing = false
        case .ring(let blocks, let retire):
            usesRing = true
            var blockSize = 1 << 16
            while blockSize < maxFrame + 256 { blockSize <<= 1 }
            let r = couro_rx_ring_open(fd, &ring, UInt32(blockSize), UInt32(blocks), UInt32(retire))
            guard r == 0 else {
                close(fd)
                scratch.deallocate()
                throw OuroError(code: -r)
            }
        }
    }

    deinit {
        if usesRing { couro_rx_ring_close(&ring) }
        close(fd)
        scratch.deallocate()
    }

    /// Sends one complete frame.
    public func send(_ frame: UnsafeRawBufferPointer) throws(OuroError) {
        let r = couro_packet_send(fd, ifindex, frame.baseAddress, frame.count)
        guard r >= 0 else { throw OuroError(code: -r) }
    }

    /// Sends one complete frame.
    public func send(_ frame: [UInt8]) throws(OuroError) {
        let r = frame.withUnsafeBytes { couro_packet_send(fd, ifindex, $0.baseAddress, $0.count) }
        guard r >= 0 else { throw OuroError(code: -r) }
    }

    /// Sends up to `maxBatch` frames with one system call; returns how many
    /// (from the front) the kernel took, or throws if it took none.
    public func sendBatch(_ frames: UnsafePointer<UnsafeMutableRawPointer?>, lengths: UnsafePointer<UInt32>,
                          count: Int) throws(OuroError) -> Int {
        let r = couro_packet_send_batch(fd, ifindex, frames, lengths, UInt32(min(count, Self.maxBatch)))
        guard r >= 0 else { throw OuroError(code: -r) }
        return Int(r)
    }

    /// Frames the kernel dropped since the last call because we did not keep up.
    public func kernelDrops() -> Int {
        var packets: UInt32 = 0
        var drops: UInt32 = 0
        guard couro_packet_statistics(fd, &packets, &drops) == 0 else { return 0 }
        return Int(drops)
    }

    /// Waits up to `timeoutMilliseconds` for frames and passes each to `body`
    /// with its length on the wire (larger than the bytes when truncated).
    /// Only the receiving thread may call this. Returns false on a socket error.
    public func receive(timeoutMilliseconds: Int32, _ body: (UnsafeRawBufferPointer, Int) -> Void) -> Bool {
        if usesRing { return receiveFromRing(timeoutMilliseconds, body) }
        guard waitReadable(timeoutMilliseconds) else { return true }
        while true {
            let n = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT | MSG_TRUNC))
            if n < 0 { return errno == EAGAIN || errno == EINTR }
            body(UnsafeRawBufferPointer(start: scratch.baseAddress, count: min(n, scratch.count)), n)
        }
    }

    private func receiveFromRing(_ timeoutMilliseconds: Int32, _ body: (UnsafeRawBufferPointer, Int) -> Void) -> Bool {
        var count = couro_rx_ring_ready(&ring)
        if count == 0 {
            guard waitReadable(timeoutMilliseconds) else { return true }
            count = couro_rx_ring_ready(&ring)
        }
        while count > 0 {
            var frame = couro_rx_ring_first(&ring)
            for _ in 0..<count {
                var captured: UInt32 = 0
                var length: UInt32 = 0
                var outgoing: Int32 = 0
                let bytes = couro_rx_frame(frame, &captured, &length, &outgoing)
                if outgoing == 0 { body(UnsafeRawBufferPointer(start: bytes, count: Int(captured)), Int(length)) }
                frame = couro_rx_ring_next(frame)
            }
            couro_rx_ring_release(&ring)
            count = couro_rx_ring_ready(&ring)
        }
        return true
    }

    /// True when readable within the timeout.
    private func waitReadable(_ timeoutMilliseconds: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeoutMilliseconds) > 0
    }
}
