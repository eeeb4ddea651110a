// Raw AF_PACKET ping-pong, echo and blast between two network namespaces: the
// kernel baseline of benchmarks/eth-bench (Ethertype 0xB000, same veth pair,
// same socket calls as the Ethernet IPCPs, nothing else).
//
//   EthBaseline echo-server <dev>                          echo every frame back
//   EthBaseline ping <dev> <dst-mac> <count> <interval-us> <size>
//                                                          → "median=<us> p99=<us>"
//   EthBaseline blast <dev> <dst-mac> <size> <seconds> <batch>
//                                                          → "sent <n> packets, <x> Mbit/s"
//                                                          (batch 1: one sendto per frame, else sendmmsg)
//   EthBaseline sink <dev> <seconds>                       → "received <n> packets"
#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPEth

let ethertype: UInt16 = 0xB000
let args = CommandLine.arguments

func fail(_ text: String) -> Never {
    print(text)
    exit(1)
}

func open(_ dev: String) -> (EthernetDevice, PacketSocket) {
    do {
        let device = try EthernetDevice(named: dev)
        let socket = try PacketSocket(ifindex: device.index, protocol: ethertype, maxFrame: 9000, receive: .perFrame)
        return (device, socket)
    } catch {
        fail("\(dev): \(error)")
    }
}

func mac(_ text: String) -> MACAddress {
    guard let m = MACAddress(bytes: text.split(separator: ":").compactMap { UInt8($0, radix: 16) }) else {
        fail("bad MAC address \(text)")
    }
    return m
}

/// A frame of `size` payload bytes with the sequence number in front.
func frame(to dst: MACAddress, from src: MACAddress, size: Int, seq: UInt64) -> [UInt8] {
    var f = dst.bytes + src.bytes + [UInt8(ethertype >> 8), UInt8(ethertype & 0xFF)]
    f += withUnsafeBytes(of: seq) { Array($0) }
    f += [UInt8](repeating: 0, count: max(0, size - 8))
    return f
}

func nanoseconds() -> UInt64 { Deadline.now.nanoseconds }

switch args.count > 1 ? args[1] : "" {
case "echo-server" where args.count == 3:
    let (_, socket) = open(args[2])
    while true {
        _ = socket.receive(timeoutMilliseconds: 1000) { bytes, _ in
            var f = Array(bytes)
            guard f.count >= 14 else { return }
            for i in 0..<6 { f.swapAt(i, i + 6) }
            try? socket.send(f)
        }
    }

case "ping" where args.count == 7:
    let (device, socket) = open(args[2])
    let dst = mac(args[3])
    guard let count = Int(args[4]), let interval = UInt32(args[5]), let size = Int(args[6]) else { fail("bad numbers") }
    var rtts: [Double] = []
    for seq in 0..<UInt64(count) {
        let start = nanoseconds()
        try? socket.send(frame(to: dst, from: device.mac, size: size, seq: seq))
        var answered = false
        while !answered && nanoseconds() - start < 1_000_000_000 {
            _ = socket.receive(timeoutMilliseconds: 1000) { bytes, _ in
                guard bytes.count >= 22 else { return }
                if bytes.loadUnaligned(fromByteOffset: 14, as: UInt64.self) == seq { answered = true }
            }
        }
        if answered { rtts.append(Double(nanoseconds() - start) / 1000) }
        usleep(interval)
    }
    rtts.sort()
    guard !rtts.isEmpty else { fail("no replies") }
    let pct = { (p: Int) in rtts[min(rtts.count - 1, rtts.count * p / 100)] }
    print(String(format: "replies=%d median=%.1f p99=%.1f", rtts.count, pct(50), pct(99)))

case "blast" where args.count == 7:
    let (device, socket) = open(args[2])
    let dst = mac(args[3])
    guard let size = Int(args[4]), let seconds = Double(args[5]), let batch = Int(args[6]),
          (1...PacketSocket.maxBatch).contains(batch) else { fail("bad numbers") }
    var frames = (0..<batch).map { frame(to: dst, from: device.mac, size: size, seq: UInt64($0)) }
    let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: batch)
    let lengths = UnsafeMutablePointer<UInt32>.allocate(capacity: batch)
    var sent = 0
    let start = nanoseconds()
    let end = start + UInt64(seconds * 1e9)
    while nanoseconds() < end && batch == 1 {
        if (try? socket.send(frames[0])) != nil { sent += 1 }
    }
    while nanoseconds() < end {
        let n = frames.indices.reduce(into: 0) { n, i in
            frames[i].withUnsafeMutableBytes { pointers[i] = $0.baseAddress }
            lengths[i] = UInt32(frames[i].count)
            n += 1
        }
        sent += (try? socket.sendBatch(pointers, lengths: lengths, count: n)) ?? 0
    }
    let elapsed = Double(nanoseconds() - start) / 1e9
    print(String(format: "sent %d packets, %.1f Mbit/s", sent, Double(sent * size * 8) / elapsed / 1e6))

case "sink" where args.count == 4:
    let (_, socket) = open(args[2])
    guard let seconds = Double(args[3]) else { fail("bad numbers") }
    var received = 0
    let end = nanoseconds() + UInt64(seconds * 1e9)
    while nanoseconds() < end {
        _ = socket.receive(timeoutMilliseconds: 100) { _, _ in received += 1 }
    }
    print("received \(received) packets")

default:
    fail("usage: EthBaseline echo-server|ping|blast|sink ...")
}
