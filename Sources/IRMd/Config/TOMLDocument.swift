import Foundation

/// The subset of TOML irmd.conf uses, parsed keeping what tomlc99 gives the
/// reference and a generic TOML library does not: the file order of the
/// tables and the line of every key (for error messages). Supported: comments,
/// `[a.b]` / `[a."b.c"]` headers, `key = value` with basic and literal strings,
/// integers (decimal, 0x, 0o, 0b, underscores), booleans and arrays of those
/// (over several lines too).
struct TOMLDocument: Equatable {
    enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case boolean(Bool)
        case array([Value])
    }

    struct Entry: Equatable {
        let key: String
        let value: Value
        let line: Int
    }

    struct Table: Equatable {
        /// The dotted header, split (`["name", "oping.secure"]`).
        let path: [String]
        let line: Int
        var entries: [Entry] = []

        func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }
    }

    struct ParseError: Error, Equatable, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    /// Tables in file order (keys before the first header are refused).
    private(set) var tables: [Table] = []

    init(parsing text: String) throws(ParseError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        var index = 0
        while index < lines.count {
            let number = index + 1
            var scanner = Scanner(chars: lines[index].map { Character(String($0)) }, line: number)
            index += 1
            scanner.skipSpace()
            if scanner.atEndOfContent { continue }
            if scanner.peek == "[" {
                scanner.advance()
                let path = try scanner.keyPath(until: "]")
                try scanner.expect("]")
                try scanner.requireEnd()
                tables.append(Table(path: path, line: number))
                continue
            }
            let key = try scanner.keyPath(until: "=")
            try scanner.expect("=")
            // An array may span lines: join until its brackets balance.
            while scanner.unclosedArray, index < lines.count {
                scanner.append(lines[index].map { Character(String($0)) })
                lines[index] = []
                index += 1
            }
            let value = try scanner.value()
            try scanner.requireEnd()
            guard !tables.isEmpty else { throw ParseError(line: number, message: "key \(key.joined(separator: ".")) outside a table") }
            let name = key.joined(separator: ".")
            guard tables[tables.count - 1].entry(name) == nil else {
                throw ParseError(line: number, message: "duplicate key \(name)")
            }
            tables[tables.count - 1].entries.append(Entry(key: name, value: value, line: number))
        }
    }
}

/// A cursor over one logical line.
private struct Scanner {
    var chars: [Character]
    let line: Int
    var pos = 0

    var peek: Character? { pos < chars.count ? chars[pos] : nil }
    mutating func advance() { pos += 1 }
    var atEndOfContent: Bool { peek == nil || peek == "#" }

    mutating func append(_ more: [Character]) { chars += ["\n"] + more }

    /// True while an array opened on this line has not been closed yet.
    var unclosedArray: Bool {
        var depth = 0, quote: Character? = nil
        var i = pos
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" && q == "\"" { i += 1 } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else if c == "[" {
                depth += 1
            } else if c == "]" {
                depth -= 1
            }
            i += 1
        }
        return depth > 0
    }

    func error(_ message: String) -> TOMLDocument.ParseError { TOMLDocument.ParseError(line: line, message: message) }

    mutating func skipSpace(newlines: Bool = false) {
        while let c = peek, c == " " || c == "\t" || (newlines && (c == "\n" || c == "\r")) { advance() }
        if newlines, peek == "#" {
            while let c = peek, c != "\n" { advance() }
            skipSpace(newlines: true)
        }
    }

    mutating func expect(_ c: Character) throws(TOMLDocument.ParseError) {
        skipSpace()
        guard peek == c else { throw error("expected '\(c)'") }
        advance()
    }

    mutating func requireEnd() throws(TOMLDocument.ParseError) {
        skipSpace()
        if peek == "\r" { advance() }
        guard atEndOfContent else { throw error("unexpected '\(peek!)'") }
    }

    /// A dotted key of bare or quoted parts, up to `stop`.
    mutating func keyPath(until stop: Character) throws(TOMLDocument.ParseError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpace()
            if peek == "\"" || peek == "'" {
                parts.append(try quoted())
            } else {
                var bare = ""
                while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" {
                    bare.append(c)
                    advance()
                }
                guard !bare.isEmpty else { throw error("expected a key") }
                parts.append(bare)
            }
            skipSpace()
            if peek == "." {
                advance()
                continue
            }
            guard peek == stop else { throw error("expected '\(stop)'") }
            return parts
        }
    }

    mutating func quoted() throws(TOMLDocument.ParseError) -> String {
        let q = peek!
        advance()
        var s = ""
        while let c = peek {
            advance()
            if c == q { return s }
            if c == "\n" { break }
            if c == "\\" && q == "\"" {
                guard let e = peek else { break }
                advance()
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "\\": s.append("\\")
                case "\"": s.append("\"")
                default: throw error("unsupported escape \\\(e)")
                }
            } else {
                s.append(c)
            }
        }
        throw error("unterminated string")
    }

    mutating func value() throws(TOMLDocument.ParseError) -> TOMLDocument.Value {
        skipSpace()
        guard let c = peek else { throw error("missing value") }
        if c == "\"" || c == "'" { return .string(try quoted()) }
        if c == "[" {
            advance()
            var items: [TOMLDocument.Value] = []
            while true {
                skipSpace(newlines: true)
                if peek == "]" {
                    advance()
                    return .array(items)
                }
                items.append(try value())
                skipSpace(newlines: true)
                if peek == "," {
                    advance()
                } else if peek != "]" {
                    throw error("expected ',' or ']' in array")
                }
            }
        }
        var word = ""
        while let d = peek, !(d == " " || d == "\t" || d == "," || d == "]" || d == "#" || d == "\n" || d == "\r") {
            word.append(d)
            advance()
        }
        if word == "true" { return .boolean(true) }
        if word == "false" { return .boolean(false) }
        let digits = word.replacingOccurrences(of: "_", with: "")
        var radix = 10, body = Substring(digits), negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") {
            negative = body.hasPrefix("-")
            body = body.dropFirst()
        }
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            radix = r
            body = body.dropFirst(2)
        }
        guard let n = Int64(body, radix: radix) else { throw error("bad value '\(word)'") }
        return .integer(negative ? -n : n)
    }
}
