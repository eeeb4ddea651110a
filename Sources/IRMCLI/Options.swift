/// What an option keyword takes.
enum OptionKind {
    /// `keyword <value>`.
    case value
    /// A bare word (`autobind`), matched by prefix like the others.
    case flag
    /// A bare word that must be typed in full (`auto` of `bind program`).
    case exactFlag
}

/// One keyword an option list accepts.
struct OptionSpec {
    let keyword: String
    let kind: OptionKind

    static func value(_ keyword: String) -> OptionSpec { OptionSpec(keyword: keyword, kind: .value) }
    static func flag(_ keyword: String) -> OptionSpec { OptionSpec(keyword: keyword, kind: .flag) }
    static func exactFlag(_ keyword: String) -> OptionSpec { OptionSpec(keyword: keyword, kind: .exactFlag) }
}

/// A keyword/value option list (`name x type unicast autobind`), parsed in
/// order: each token is matched against the specs in table order, first match
/// wins. Parsing stops at the first token no spec selects, or at a value
/// keyword that ends the line; `stop` says which.
struct OptionList {
    struct Entry {
        /// The keyword the token selected.
        let keyword: String
        /// The token as typed (error messages quote it).
        let token: String
        /// The value; nil for flags.
        let value: String?
    }

    enum Stop {
        case unknown(String)
        case missingValue(String)
    }

    private(set) var entries: [Entry] = []
    private(set) var stop: Stop?
    /// The tokens after the terminator (`--`), if one was given.
    private(set) var trailing: [String] = []

    init(_ tokens: ArraySlice<String>, _ specs: [OptionSpec], terminator: String? = nil) {
        var rest = tokens
        while let token = rest.popFirst() {
            if let terminator, token == terminator {
                trailing = Array(rest)
                return
            }
            let spec = specs.first { spec in
                spec.kind == .exactFlag ? token == spec.keyword : selects(token, spec.keyword)
            }
            guard let spec else {
                stop = .unknown(token)
                return
            }
            if spec.kind != .value {
                entries.append(Entry(keyword: spec.keyword, token: token, value: nil))
                continue
            }
            guard let value = rest.popFirst() else {
                stop = .missingValue(token)
                return
            }
            entries.append(Entry(keyword: spec.keyword, token: token, value: value))
        }
    }

    /// The last value given for `keyword`.
    func value(_ keyword: String) -> String? {
        entries.last { $0.keyword == keyword }?.value
    }

    /// Every value given for `keyword`, in order.
    func values(_ keyword: String) -> [String] {
        entries.filter { $0.keyword == keyword }.compactMap(\.value)
    }

    /// Whether `keyword` (a flag) was given.
    func has(_ keyword: String) -> Bool {
        entries.contains { $0.keyword == keyword }
    }
}

extension Session {
    /// Parses `tokens`; on an unknown keyword prints the reference's hint
    /// (`"x" is unknown, try "irm ipcp create".`), on a keyword without its value
    /// prints `usage`, and returns nil.
    func options(_ tokens: ArraySlice<String>, _ specs: [OptionSpec], hint: String, usage: String,
                 terminator: String? = nil) -> OptionList? {
        let list = OptionList(tokens, specs, terminator: terminator)
        return accept(list, hint: hint, usage: usage) ? list : nil
    }

    /// Reports the stop of a parsed list as `options` does; true when there is none.
    func accept(_ list: OptionList, hint: String, usage: String) -> Bool {
        switch list.stop {
        case nil:
            return true
        case .unknown(let token):
            say("\"\(token)\" is unknown, try \"\(hint)\".\n")
        case .missingValue:
            say(usage)
        }
        return false
    }
}

/// C's `atoi`: optional blanks and sign, then decimal digits up to the first
/// other character; 0 when there are none. Overflow wraps.
func cInteger(_ text: String) -> Int32 {
    Int32(truncatingIfNeeded: leadingInteger(text, radix: 10).value)
}

/// The leading integer of `text` as `strtol` reads it: blanks, a sign, and
/// digits of `radix` (for 16 an optional `0x`). `complete` says whether the
/// whole text was consumed and at least one digit read.
func leadingInteger(_ text: String, radix: Int) -> (value: Int64, complete: Bool) {
    var bytes = Substring(text).utf8.drop { $0 == 0x20 || (0x09...0x0d).contains($0) }
    var negative = false
    if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
        negative = sign == UInt8(ascii: "-")
        bytes = bytes.dropFirst()
    }
    if radix == 16, bytes.starts(with: "0x".utf8) || bytes.starts(with: "0X".utf8),
       bytes.dropFirst(2).first.flatMap({ hexDigit($0) }) != nil {
        bytes = bytes.dropFirst(2)
    }
    var value: Int64 = 0
    var digits = 0
    for byte in bytes {
        guard let d = radix == 16 ? hexDigit(byte) : (byte >= 0x30 && byte <= 0x39 ? Int64(byte - 0x30) : nil)
        else { break }
        value = value &* Int64(radix) &+ d
        digits += 1
    }
    return (negative ? -value : value, digits > 0 && digits == bytes.count)
}

private func hexDigit(_ byte: UInt8) -> Int64? {
    switch byte {
    case 0x30...0x39: return Int64(byte - 0x30)
    case 0x41...0x46: return Int64(byte - 0x41 + 10)
    case 0x61...0x66: return Int64(byte - 0x61 + 10)
    default: return nil
    }
}
