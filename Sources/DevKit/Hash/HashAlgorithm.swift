/// The directory hash algorithms (spec host.md §2.4), with their wire values.
public enum HashAlgorithm: UInt32, Sendable, CaseIterable {
    case sha3_224 = 0
    case sha3_256 = 1
    case sha3_384 = 2
    case sha3_512 = 3
    case crc32 = 4
    case md5 = 5

    /// Digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha3_224: return 28
        case .sha3_256: return 32
        case .sha3_384: return 48
        case .sha3_512: return 64
        case .crc32: return 4
        case .md5: return 16
        }
    }

    /// The spelling `irm` accepts (`SHA3_256`).
    public var name: String {
        switch self {
        case .sha3_224: return "SHA3_224"
        case .sha3_256: return "SHA3_256"
        case .sha3_384: return "SHA3_384"
        case .sha3_512: return "SHA3_512"
        case .crc32: return "CRC32"
        case .md5: return "MD5"
        }
    }

    /// The digest of `bytes`.
    public func digest<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        switch self {
        case .sha3_224: return SHA3.hash(input, outputBytes: 28)
        case .sha3_256: return SHA3.hash(input, outputBytes: 32)
        case .sha3_384: return SHA3.hash(input, outputBytes: 48)
        case .sha3_512: return SHA3.hash(input, outputBytes: 64)
        case .md5: return MD5.hash(input)
        case .crc32:
            let c = CRC32.checksum(input)
            return [UInt8(c >> 24), UInt8((c >> 16) & 0xff), UInt8((c >> 8) & 0xff), UInt8(c & 0xff)]
        }
    }

    /// The digest of a name: its UTF-8 bytes without a terminating NUL.
    public func digest(name: String) -> [UInt8] { digest(Array(name.utf8)) }
}

extension Array where Element == UInt8 {
    /// Lowercase hex, two digits per byte.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first 4 bytes in hex, as log lines show a hash.
    public var hashPrefix: String { Array(prefix(4)).hexString }
}
