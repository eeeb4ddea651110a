/// Node IDs and keys of the DHT (ipcps.md §6.10.2): byte strings of the
/// layer's digest length. Values are addresses, 8 bytes big-endian.
enum DHTIdentifier {
    /// A random ID of `length` bytes.
    static func random(length: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &g) }
    }

    /// True if `a` is closer to `target` than `b` in the XOR metric. The
    /// reference's distance is the XOR of the first 8 bytes; comparing the
    /// whole XOR ranks identically wherever that distance differs.
    static func closer(_ a: [UInt8], than b: [UInt8], to target: [UInt8]) -> Bool {
        for i in target.indices {
            let da = (i < a.count ? a[i] : 0) ^ target[i]
            let db = (i < b.count ? b[i] : 0) ^ target[i]
            if da != db { return da < db }
        }
        return false
    }

    /// An address as a DHT value.
    static func value(of address: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: address >> (56 - 8 * UInt64($0))) }
    }

    /// The address a DHT value holds, nil unless it is exactly 8 bytes.
    static func address(of value: [UInt8]) -> UInt64? {
        guard value.count == 8 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
