#if canImport(Glibc)
import Glibc
#endif

/// How values in information trees are spelled.
public enum InfoFormat {
    /// `seconds` since the epoch as `2025-01-31 12:00:00 UTC`.
    public static func utc(_ seconds: Double) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var buf = [CChar](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%F %T UTC", &parts)
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Lowercase hex, two digits per byte.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// A packet and byte count: `12 packets, 1200 bytes`.
    public static func traffic(packets: UInt64, bytes: UInt64) -> String {
        "\(packets) packets, \(bytes) bytes"
    }
}
