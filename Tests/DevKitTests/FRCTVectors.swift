import Foundation

/// The FRCT packets of `Fixtures/frct.txt` (a copy of blocks of the shared
/// reference vectors): per block its title, sender, and the FRCT header bytes
/// (the udp4 payload without its 4-byte eid) with the annotated field values.
struct FRCTVector {
    let title: String
    /// "A" or "B".
    let sender: String
    let header: [UInt8]
    let flags: UInt8
    let window: UInt32
    let seqno: UInt32
    let ackno: UInt32

    static let all: [FRCTVector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/frct.txt")
        let text = try! String(contentsOf: url, encoding: .utf8)
        return text.components(separatedBy: "\n## ").dropFirst().map(parse)
    }()

    private static func parse(_ block: String) -> FRCTVector {
        let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var hex = ""
        var inHex = false
        var fields: [String: UInt32] = [:]
        var sender = ""
        for line in lines {
            if line.hasPrefix("direction: ") { sender = String(line.dropFirst(11).prefix(1)) }
            if line == "hex:" { inHex = true; continue }
            if line == "fields:" { inHex = false; continue }
            if inHex { hex += line }
            if let r = line.range(of: "sdu.frct.") {
                let rest = line[r.upperBound...].split(separator: " ")
                fields[String(rest[0])] = UInt32(rest[2].dropFirst(2), radix: 16)!
            }
        }
        let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
            let s = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[s..<hex.index(s, offsetBy: 2)], radix: 16)!
        }
        return FRCTVector(title: String(lines[0]), sender: sender, header: Array(bytes[4..<16]),
                          flags: UInt8(fields["flags"]!), window: fields["window"]!,
                          seqno: fields["seqno"]!, ackno: fields["ackno"]!)
    }
}
