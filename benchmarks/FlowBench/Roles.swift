#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The processes a FlowBench run starts: each role is this executable run
/// with `--role NAME ...`, printing one `RESULT key=value ...` line.
enum Role {
    static func result(_ fields: [(String, String)]) {
        print("RESULT " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        fflush(nil)
    }

    static func run(_ args: [String]) -> Never {
        do throws(OuroError) {
            switch args[0] {
            case "echo-server": try echoServer()
            case "sink-server": try sinkServer()
            case "ping": try ping(name: args[1], count: Int(args[2])!, intervalMicroseconds: Int(args[3])!, size: Int(args[4])!)
            case "blast": try blast(name: args[1], size: Int(args[2])!, seconds: Double(args[3])!)
            case "allocs": try allocs(name: args[1], count: Int(args[2])!)
            default: fatal("unknown role \(args[0])")
            }
        } catch {
            fatal("\(args[0]): \(error)")
        }
        exit(0)
    }

    static func fatal(_ message: String) -> Never {
        print("FAILED \(message)")
        fflush(nil)
        exit(1)
    }

    /// Accepts flows forever and echoes each in its own thread.
    static func echoServer() throws(OuroError) -> Never {
        try OuroborosProcess.start()
        print("READY")
        fflush(nil)
        while true {
            let flow = try Flow.accept()
            startThread {
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    do {
                        let n = try buf.withUnsafeMutableBytes { try flow.read(into: $0) }
                        try buf.withUnsafeBytes { try flow.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    } catch {
                        try? flow.deallocate()
                        return
                    }
                }
            }
        }
    }

    /// Accepts one flow at a time and counts what arrives until it goes down.
    static func sinkServer() throws(OuroError) -> Never {
        try OuroborosProcess.start()
        print("READY")
        fflush(nil)
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let flow = try Flow.accept()
            var packets = 0, bytes = 0
            var first: UInt64 = 0, last: UInt64 = 0
            while true {
                do {
                    let n = try buf.withUnsafeMutableBytes { try flow.read(into: $0) }
                    last = Deadline.now.nanoseconds
                    if packets == 0 { first = last }
                    packets += 1
                    bytes += n
                } catch {
                    break
                }
            }
            try? flow.deallocate()
            result([("packets", "\(packets)"), ("bytes", "\(bytes)"), ("seconds", "\(Double(last - first) / 1e9)")])
        }
    }

    /// Ping-pong: `count` round trips of `size` bytes, `interval` apart (0: flood).
    static func ping(name: String, count: Int, intervalMicroseconds: Int, size: Int) throws(OuroError) {
        let flow = try Flow.allocate(to: name, timeout: .seconds(10))
        try flow.setReceiveTimeout(.seconds(5))
        var rtts: [UInt64] = []
        rtts.reserveCapacity(count)
        let payload = [UInt8](repeating: 0x5a, count: size)
        let start = Deadline.now.nanoseconds
        for i in 0..<count {
            let t0 = Deadline.now.nanoseconds
            try flow.write(payload)
            _ = try flow.read(maxLength: 65536)
            rtts.append(Deadline.now.nanoseconds - t0)
            if intervalMicroseconds > 0 {
                let next = start + UInt64(i + 1) * UInt64(intervalMicroseconds) * 1000
                let now = Deadline.now.nanoseconds
                if next > now { usleep(UInt32((next - now) / 1000)) }
            }
        }
        let total = Deadline.now.nanoseconds - start
        try flow.deallocate()
        let s = Stats(rtts)
        result([("median_us", s.median), ("p99_us", s.p99), ("avg_us", s.average), ("total_ms", String(Double(total) / 1e6))])
    }

    /// Writes `size`-byte packets as fast as the flow takes them for `seconds`.
    static func blast(name: String, size: Int, seconds: Double) throws(OuroError) {
        let flow = try Flow.allocate(to: name, timeout: .seconds(10))
        let payload = [UInt8](repeating: 0xa5, count: size)
        let end = Deadline.now.nanoseconds + UInt64(seconds * 1e9)
        var sent = 0
        while Deadline.now.nanoseconds < end {
            for _ in 0..<64 {
                try flow.write(payload)
                sent += 1
            }
        }
        try flow.deallocate()
        result([("sent", "\(sent)")])
    }

    /// Allocates and deallocates `count` flows one after the other.
    static func allocs(name: String, count: Int) throws(OuroError) {
        let start = Deadline.now.nanoseconds
        for _ in 0..<count {
            let flow = try Flow.allocate(to: name, timeout: .seconds(10))
            try flow.deallocate()
        }
        let seconds = Double(Deadline.now.nanoseconds - start) / 1e9
        result([("per_second", String(Int(Double(count) / seconds)))])
    }
}

/// Median, p99 and average of nanosecond samples, in µs text.
struct Stats {
    let median: String, p99: String, average: String

    init(_ samples: [UInt64]) {
        let sorted = samples.sorted()
        func us(_ ns: UInt64) -> String { String(Double(ns / 10) / 100) }
        median = us(sorted[sorted.count / 2])
        p99 = us(sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        average = us(sorted.reduce(0, +) / UInt64(sorted.count))
    }
}
