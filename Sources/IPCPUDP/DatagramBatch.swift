#if canImport(Glibc)
import Glibc
#endif
import COuro
import DevKit

/// Fixed-size arrays of `mmsghdr`, iovecs and address slots for one thread's
/// batched `recvmmsg`/`sendmmsg`; only its owner thread touches it.
final class DatagramBatch: @unchecked Sendable {
    let capacity: Int
    let messages: UnsafeMutablePointer<couro_mmsghdr>
    let iovecs: UnsafeMutablePointer<iovec>
    let names: UnsafeMutablePointer<sockaddr_storage>
    /// Receive buffers (nil for a send batch, whose iovecs point at packets).
    let buffers: UnsafeMutableRawPointer?
    let bufferSize: Int
    /// Messages filled in (send) or received.
    var count = 0

    /// A batch of `capacity` messages; `bufferSize` > 0 gives each its own
    /// receive buffer of that size.
    init(capacity: Int, bufferSize: Int = 0) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        messages = .allocate(capacity: capacity)
        messages.initialize(repeating: couro_mmsghdr(), count: capacity)
        iovecs = .allocate(capacity: capacity)
        iovecs.initialize(repeating: iovec(), count: capacity)
        names = .allocate(capacity: capacity)
        names.initialize(repeating: sockaddr_storage(), count: capacity)
        buffers = bufferSize > 0 ? .allocate(byteCount: capacity * bufferSize, alignment: 16) : nil
    }

    deinit {
        messages.deallocate()
        iovecs.deallocate()
        names.deallocate()
        buffers?.deallocate()
    }

    /// Waits for at least one datagram and takes what else is queued, up to
    /// `capacity`; returns the number received (0 on timeout or interruption).
    func receive(on socket: UDPSocket) throws(OuroError) -> Int {
        guard let buffers else { return 0 }
        for i in 0..<capacity {
            iovecs[i] = iovec(iov_base: buffers + i * bufferSize, iov_len: bufferSize)
            messages[i].msg_hdr = msghdr(msg_name: UnsafeMutableRawPointer(names + i),
                                         msg_namelen: socklen_t(MemoryLayout<sockaddr_storage>.size),
                                         msg_iov: iovecs + i, msg_iovlen: 1, msg_control: nil, msg_controllen: 0,
                                         msg_flags: 0)
            messages[i].msg_len = 0
        }
        let n = couro_recvmmsg(socket.fd, messages, UInt32(capacity), couro_msg_waitforone())
        if n == -EAGAIN || n == -EINTR || n == -EWOULDBLOCK { count = 0; return 0 }
        guard n >= 0 else { throw OuroError(code: -n) }
        count = Int(n)
        return count
    }

    /// The `i`th received datagram.
    func datagram(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffers! + i * bufferSize, count: Int(messages[i].msg_len))
    }

    /// True if the `i`th datagram did not fit its buffer.
    func truncated(_ i: Int) -> Bool { messages[i].msg_hdr.msg_flags & couro_msg_trunc() != 0 }

    /// The source of the `i`th received datagram.
    func source(_ i: Int) -> (pointer: UnsafeRawPointer, length: Int) {
        (UnsafeRawPointer(names + i), Int(messages[i].msg_hdr.msg_namelen))
    }

    /// Appends a datagram to send: `bytes` (which must stay valid until
    /// `send`) to `remote`. False when the batch is full.
    func append(_ bytes: UnsafeRawBufferPointer, to remote: SocketAddress) -> Bool {
        guard count < capacity else { return false }
        let i = count
        remote.bytes.withUnsafeBytes { UnsafeMutableRawPointer(names + i).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        iovecs[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        messages[i].msg_hdr = msghdr(msg_name: UnsafeMutableRawPointer(names + i), msg_namelen: socklen_t(remote.bytes.count),
                                     msg_iov: iovecs + i, msg_iovlen: 1, msg_control: nil, msg_controllen: 0, msg_flags: 0)
        messages[i].msg_len = 0
        count += 1
        return true
    }

    /// Sends the appended datagrams and empties the batch; returns how many the
    /// kernel refused.
    @discardableResult
    func send(on socket: UDPSocket) -> Int {
        var done = 0
        while done < count {
            let n = couro_sendmmsg(socket.fd, messages + done, UInt32(count - done), UDPSocket.sendFlags)
            if n == -EINTR { continue }
            // The first message of the rest failed: skip it.
            done += n > 0 ? Int(n) : 1
            if n <= 0 { failed += 1 }
        }
        let f = failed
        failed = 0
        count = 0
        return f
    }

    private var failed = 0
}
