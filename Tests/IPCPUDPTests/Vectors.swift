import Foundation

/// The blocks of `Fixtures/udp4.txt` (a copy of the shared vectors: udp4
/// datagrams captured between two reference nodes), by title.
enum Vectors {
    static let blocks: [String: [UInt8]] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/udp4.txt")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var out: [String: [UInt8]] = [:]
        for block in text.components(separatedBy: "\n## ").dropFirst() {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
            guard let title = lines.first, let hexStart = lines.firstIndex(of: "hex:") else { continue }
            let hex = lines[(hexStart + 1)...].prefix { $0 != "fields:" }.joined()
            var bytes: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 2)
                bytes.append(UInt8(hex[i..<j], radix: 16)!)
                i = j
            }
            out[String(title)] = bytes
        }
        return out
    }()

    static func bytes(_ title: String) -> [UInt8] {
        guard let b = blocks[title] else { fatalError("no vector \(title)") }
        return b
    }
}
