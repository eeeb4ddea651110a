import DevKit
#if canImport(Glibc)
import Glibc
#endif

/// Who encapsulates a KEM secret (spec host.md §7.6 `kem_mode`).
enum KEMMode: Sendable, Equatable {
    /// The client sends an ephemeral public key, the server a ciphertext.
    case server
    /// The client encapsulates to the server's cached static public key.
    case client
}

/// A name's `enc.conf` (spec host.md §7.6): what a side proposes or demands.
/// A nil `kex` means no encryption.
struct EncConfig: Sendable, Equatable {
    var kex: KexAlgorithm?
    var cipher: CipherAlgorithm?
    var kdf: DigestAlgorithm?
    var digest: DigestAlgorithm?
    var kemMode = KEMMode.server

    /// No file, or `none`: no encryption, nothing configured.
    static let none = EncConfig()
    /// What a present file starts from.
    static let defaults = EncConfig(kex: .prime256v1, cipher: .aes256GCM, kdf: .sha256, digest: .sha256)

    enum ParseError: Error, Equatable {
        /// A known key with a value outside its table.
        case invalidValue(key: String, value: String)
        /// The file could not be read.
        case unreadable(String)
    }

    /// Parses the text of an enc.conf.
    init(parsing text: String) throws(ParseError) {
        self = .defaults
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if raw.hasPrefix("#") || raw.isEmpty { continue }
            let line = raw.trimmingWhitespace
            if line == "none" {
                self = .none
                return
            }
            guard let eq = raw.firstIndex(of: "=") else { continue }
            let key = raw[..<eq].trimmingWhitespace
            let value = raw[raw.index(after: eq)...].trimmingWhitespace
            func bad() -> ParseError { .invalidValue(key: key, value: value) }
            switch key {
            case "kex":
                guard let k = KexAlgorithm(rawValue: value) else { throw bad() }
                kex = k
            case "cipher":
                guard let c = CipherAlgorithm(name: value) else { throw bad() }
                cipher = c
            case "kdf":
                guard let d = DigestAlgorithm(name: value) else { throw bad() }
                kdf = d
            case "digest":
                guard let d = DigestAlgorithm(name: value) else { throw bad() }
                digest = d
            case "kem_mode":
                switch value {
                case "server": kemMode = .server
                case "client": kemMode = .client
                default: throw bad()
                }
            default:
                continue
            }
        }
    }

    init(kex: KexAlgorithm? = nil, cipher: CipherAlgorithm? = nil, kdf: DigestAlgorithm? = nil,
         digest: DigestAlgorithm? = nil, kemMode: KEMMode = .server) {
        self.kex = kex
        self.cipher = cipher
        self.kdf = kdf
        self.digest = digest
        self.kemMode = kemMode
    }

    /// The configuration at `path`: `.none` when the file does not exist.
    static func load(path: String) throws(ParseError) -> EncConfig {
        guard !path.isEmpty, access(path, F_OK) == 0 else { return .none }
        guard let text = readTextFile(path) else { throw .unreadable(path) }
        return try EncConfig(parsing: text)
    }
}

/// The contents of a text file, or nil if it cannot be read.
func readTextFile(_ path: String) -> String? {
    readFile(path).map { String(decoding: $0, as: UTF8.self) }
}

/// The bytes of a file, or nil if it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n > 0 { out += chunk[0..<n] }
        if n < chunk.count { return ferror(f) == 0 ? out : nil }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line ends.
    var trimmingWhitespace: String {
        let ws: Set<Character> = [" ", "\t", "\r", "\n", "\u{0B}", "\u{0C}"]
        var s = Substring(self)
        while let c = s.first, ws.contains(c) { s.removeFirst() }
        while let c = s.last, ws.contains(c) { s.removeLast() }
        return String(s)
    }
}
