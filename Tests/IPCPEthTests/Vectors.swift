import Foundation

/// One captured frame of `Fixtures/eth-*.txt` (copies of the shared test
/// vectors from the reference): its title and bytes.
struct Vector {
    let title: String
    let bytes: [UInt8]

    /// The blocks of fixture `file`, in order.
    static func load(_ file: String) -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(file)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var vectors: [Vector] = []
        var title: String?
        var hex = ""
        var inHex = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                title = String(line.dropFirst(3))
                hex = ""
            } else if line == "hex:" {
                inHex = true
            } else if inHex && line.hasSuffix(":") {
                inHex = false
                if let t = title { vectors.append(Vector(title: t, bytes: Vector.bytes(hex))) }
            } else if inHex {
                hex += line
            }
        }
        return vectors
    }

    /// The block whose title contains `text`.
    static func named(_ text: String, in file: String) -> Vector? {
        load(file).first { $0.title.contains(text) }
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }
}
