import DevKit

/// The OAP header that rides in every flow allocation (spec host.md §7.2): the
/// request travels as the allocation's `pk`, the response as the reply's `pk`.
struct OAPHeader: Equatable, Sendable {
    static let fixedLength = 36
    static let knownCiphers: Set<UInt16> = [895, 898, 901, 904, 905, 906, 1018]
    static let knownDigests: Set<UInt16> = [672, 673, 674, 1096, 1097, 1098, 1056, 1057]

    /// Random flow-allocation id, echoed by the response.
    var id: [UInt8]
    /// CLOCK_REALTIME in ns.
    var timestamp: UInt64
    var cipherNID: UInt16 = 0
    var kdfNID: UInt16 = 0
    var mdNID: UInt16 = 0
    /// X.509 DER certificate, or empty.
    var certificate: [UInt8] = []
    /// Key-exchange F (raw hybrid) and R (client encapsulates) bits.
    var kexRaw = false
    var kexClientEncapsulates = false
    var kex: [UInt8] = []
    var data: [UInt8] = []
    /// Responses only: the digest of the complete request.
    var requestHash: [UInt8]?
    var signature: [UInt8] = []

    enum ParseError: Error, Equatable {
        case tooShort
        case unknownCipher(UInt16)
        case unknownDigest(UInt16)
        case lengthsExceedMessage
        case signatureWithoutCertificate
    }

    /// The length of `requestHash` for a request whose md_nid is `mdNID` (SHA-384 when 0).
    static func hashLength(forDigest mdNID: UInt16) -> Int {
        switch mdNID {
        case 672, 1096, 1057: return 32
        case 673, 1097: return 48
        case 674, 1098, 1056: return 64
        default: return 48
        }
    }

    init(id: [UInt8], timestamp: UInt64) {
        self.id = id
        self.timestamp = timestamp
    }

    /// Decodes a request (`requestHashLength` nil) or a response.
    init(parsing bytes: [UInt8], requestHashLength: Int? = nil) throws(ParseError) {
        guard bytes.count >= OAPHeader.fixedLength else { throw .tooShort }
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) }
        id = Array(bytes[0..<16])
        timestamp = bytes[16..<24].reduce(0) { $0 << 8 | UInt64($1) }
        cipherNID = u16(24)
        kdfNID = u16(26)
        mdNID = u16(28)
        if cipherNID != 0 && !OAPHeader.knownCiphers.contains(cipherNID) { throw .unknownCipher(cipherNID) }
        for d in [kdfNID, mdNID] where d != 0 && !OAPHeader.knownDigests.contains(d) { throw .unknownDigest(d) }
        let crtLength = Int(u16(30))
        let kexWord = u16(32)
        kexRaw = kexWord & 0x8000 != 0
        kexClientEncapsulates = kexWord & 0x4000 != 0
        let kexLength = Int(kexWord & 0x3fff)
        let dataLength = Int(u16(34))
        let hashLength = requestHashLength ?? 0
        var o = OAPHeader.fixedLength
        guard o + crtLength + kexLength + dataLength + hashLength <= bytes.count else { throw .lengthsExceedMessage }
        certificate = Array(bytes[o..<o + crtLength]); o += crtLength
        kex = Array(bytes[o..<o + kexLength]); o += kexLength
        data = Array(bytes[o..<o + dataLength]); o += dataLength
        if requestHashLength != nil {
            requestHash = Array(bytes[o..<o + hashLength])
            o += hashLength
        }
        signature = Array(bytes[o...])
        if certificate.isEmpty && !signature.isEmpty { throw .signatureWithoutCertificate }
    }

    /// The wire bytes.
    func serialize() -> [UInt8] {
        var out = id
        for i in (0..<8).reversed() { out.append(UInt8((timestamp >> (8 * UInt64(i))) & 0xff)) }
        var kexWord = UInt16(kex.count) & 0x3fff
        if kexRaw { kexWord |= 0x8000 }
        if kexClientEncapsulates { kexWord |= 0x4000 }
        for v in [cipherNID, kdfNID, mdNID, UInt16(certificate.count), kexWord, UInt16(data.count)] {
            out.append(UInt8(v >> 8))
            out.append(UInt8(v & 0xff))
        }
        out += certificate + kex + data + (requestHash ?? []) + signature
        return out
    }
}
