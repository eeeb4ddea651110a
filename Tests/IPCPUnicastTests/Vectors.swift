import Foundation

/// The blocks of a fixture file: `Fixtures/unicast.txt` (the LSA and DHT
/// blocks of the shared reference vectors) or `Fixtures/unicast-core.txt`
/// (OCEP, OEP, FA, DT): title and bytes, in file order.
struct Vector {
    let title: String
    let bytes: [UInt8]

    static func load(_ file: String = "unicast.txt") throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/" + file)
        var vectors: [Vector] = []
        var title: String?
        var hex = ""
        var inHex = false
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                title = String(line.dropFirst(3))
                hex = ""
            } else if line == "hex:" {
                inHex = true
            } else if inHex {
                if line.hasSuffix(":") || line.isEmpty {
                    inHex = false
                    if let t = title { vectors.append(Vector(title: t, bytes: bytes(hex))) }
                    title = nil
                } else {
                    hex += line
                }
            }
        }
        return vectors
    }

    static func named(_ title: String, in file: String = "unicast.txt") throws -> [Vector] {
        try load(file).filter { $0.title == title }
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
}
