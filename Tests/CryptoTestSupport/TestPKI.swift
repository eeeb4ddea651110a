import Foundation

/// Certificates made with the openssl CLI for a test (spec host.md §7.5): a
/// root CA, an intermediate CA, leaves signed by the intermediate, and a rogue
/// root nobody trusts. Everything lives in `directory`; `install` copies it
/// into a security directory layout.
public final class TestPKI {
    public let directory: String

    public enum KeyType {
        case ecdsa(curve: String)
        case ed25519

        var genpkey: [String] {
            switch self {
            case .ecdsa(let curve): ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)"]
            case .ed25519: ["-algorithm", "ED25519"]
            }
        }
    }

    /// Whether the openssl CLI is there to make certificates.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }

    public struct PKIError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes the root (`root.pem`), the intermediate (`inter.pem`) and the
    /// rogue root (`rogue.pem`), each with its `.key`.
    public init() throws {
        directory = NSTemporaryDirectory() + "ouro-pki-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try selfSigned("root", cn: "o7s-test-root")
        try selfSigned("rogue", cn: "o7s-rogue-root")
        try key("inter", .ecdsa(curve: "prime256v1"))
        try openssl(["req", "-new", "-key", path("inter.key"), "-subj", "/O=o7s-test/CN=o7s-test-intermediate",
                     "-out", path("inter.csr")])
        try write("inter.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try openssl(["x509", "-req", "-in", path("inter.csr"), "-CA", path("root.pem"), "-CAkey", path("root.key"),
                     "-CAcreateserial", "-CAserial", path("serial"), "-days", "30", "-extfile", path("inter.ext"),
                     "-out", path("inter.pem")])
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    public func path(_ file: String) -> String { directory + "/" + file }

    /// A leaf `<label>.pem`/`<label>.key` with subject CN `cn`, signed by the
    /// intermediate (or by the rogue root).
    public func leaf(_ label: String, cn: String, key type: KeyType = .ecdsa(curve: "prime256v1"),
                     rogue: Bool = false) throws {
        try key(label, type)
        try openssl(["req", "-new", "-key", path("\(label).key"), "-subj", "/O=o7s-test/CN=\(cn)", "-out", path("\(label).csr")])
        let ca = rogue ? "rogue" : "inter"
        try openssl(["x509", "-req", "-in", path("\(label).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                     "-CAcreateserial", "-CAserial", path("serial"), "-days", "30", "-out", path("\(label).pem")])
    }

    /// Puts the root into `<security>/cacert/`, the intermediate into
    /// `untrusted/`, and leaf `label` as `<side>/<name>/crt.pem`/`key.pem`.
    public func install(into security: String, trust: Bool = true) throws {
        for d in ["cacert", "untrusted"] { try FileManager.default.createDirectory(atPath: security + "/" + d, withIntermediateDirectories: true) }
        guard trust else { return }
        try copy(path("root.pem"), to: security + "/cacert/root.pem")
        try copy(path("inter.pem"), to: security + "/untrusted/inter.pem")
    }

    public func install(leaf label: String, into security: String, side: String, name: String) throws {
        let dir = "\(security)/\(side)/\(name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try copy(path("\(label).pem"), to: dir + "/crt.pem")
        try copy(path("\(label).key"), to: dir + "/key.pem")
    }

    private func copy(_ from: String, to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    private func write(_ file: String, _ text: String) throws {
        try text.write(toFile: path(file), atomically: true, encoding: .utf8)
    }

    private func key(_ label: String, _ type: KeyType) throws {
        try openssl(["genpkey"] + type.genpkey + ["-out", path("\(label).key")])
    }

    private func selfSigned(_ label: String, cn: String) throws {
        try key(label, .ecdsa(curve: "prime256v1"))
        try openssl(["req", "-x509", "-new", "-key", path("\(label).key"), "-subj", "/O=o7s-test/CN=\(cn)", "-days", "30",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                     "-out", path("\(label).pem")])
    }

    private func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PKIError(description: "openssl \(arguments.joined(separator: " ")): \(String(decoding: out, as: UTF8.self))")
        }
    }
}

/// Writes an enc.conf for `name` on `side` of a security directory.
public func writeEncConf(_ text: String, security: String, side: String, name: String) throws {
    let dir = "\(security)/\(side)/\(name)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try text.write(toFile: dir + "/enc.conf", atomically: true, encoding: .utf8)
}
