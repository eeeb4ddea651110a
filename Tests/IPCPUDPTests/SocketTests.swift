#if canImport(Glibc)
import Glibc
#endif
import DevKit
@testable import IPCPUDP
import XCTest

/// Batched send and receive (sendmmsg/recvmmsg through COuro) over loopback.
final class SocketTests: XCTestCase {
    func testBatchesOverLoopback() throws {
        let ip = IPAddress("127.0.0.1", family: .v4)!
        let port = UInt16.random(in: 40000...60000)
        let receiver = try UDPSocket(binding: SocketAddress(ip: ip, port: port))
        let sender = try UDPSocket(binding: SocketAddress(ip: ip, port: port + 1))
        defer { receiver.close(); sender.close() }

        let out = DatagramBatch(capacity: 4)
        let payloads: [[UInt8]] = [[0, 0, 0, 64, 1], [0, 0, 0, 65], [UInt8](repeating: 7, count: 200)]
        // The batch keeps pointers until it is sent: give the payloads stable storage.
        let storage = payloads.map { p -> UnsafeMutableRawBufferPointer in
            let m = UnsafeMutableRawBufferPointer.allocate(byteCount: p.count, alignment: 1)
            p.withUnsafeBytes { m.copyMemory(from: $0) }
            return m
        }
        defer { storage.forEach { $0.deallocate() } }
        for m in storage { XCTAssertTrue(out.append(UnsafeRawBufferPointer(m), to: SocketAddress(ip: ip, port: port))) }
        XCTAssertEqual(out.send(on: sender), 0)

        let batch = DatagramBatch(capacity: 8, bufferSize: 100)
        var got: [[UInt8]] = []
        var truncated: [Bool] = []
        let deadline = Deadline.after(milliseconds: 2000)
        while got.count < 3 && !deadline.hasPassed {
            let n = try batch.receive(on: receiver)
            for i in 0..<n {
                got.append(Array(batch.datagram(i)))
                truncated.append(batch.truncated(i))
                let source = batch.source(i)
                XCTAssertEqual(SocketAddress(raw: source.pointer, length: source.length), SocketAddress(ip: ip, port: port + 1))
            }
        }
        XCTAssertEqual(got.count, 3)
        XCTAssertEqual(Array(got.prefix(2)), Array(payloads.prefix(2)))
        XCTAssertEqual(got.last?.count, 100)
        XCTAssertEqual(truncated, [false, false, true])
    }
}
