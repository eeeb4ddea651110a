import CryptoTestSupport
import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Authenticated and encrypted flows through ipcpd-local in a private
/// instance (spec host.md §7): irmd reads `<rundir>/security`, oping and
/// FlowProbe get the negotiated key and encrypt every packet.
final class SecureFlowTests: XCTestCase {
    var node: TestInstance!
    var security: String { node.runDirectory + "/security" }

    override func setUpWithError() throws {
        node = try TestInstance()
        try FileManager.default.createDirectory(atPath: security, withIntermediateDirectories: true)
    }

    override func tearDown() {
        node?.tearDown()
    }

    /// Starts irmd (flows through the IPCP only) and a local layer.
    private func startLayer() throws {
        try node.startIRMd(directIPC: false)
        XCTAssertEqual(try node.irm("ipcp bootstrap type local name lo layer lo").status, 0)
    }

    /// Registers `name` in the local layer and binds a new oping server to it.
    private func opingServer(_ name: String) throws {
        XCTAssertEqual(try node.irm("reg name \(name) layer lo").status, 0)
        let server = try node.spawn("oping", ["-l"])
        XCTAssertTrue(eventually(5) { node.irmdLog.contains("Process added: \(server.processIdentifier)") })
        XCTAssertEqual(try node.irm("bind process \(server.processIdentifier) name \(name)").status, 0)
    }

    private func encConf(_ text: String, for name: String) throws {
        try writeEncConf(text, security: security, side: "client", name: name)
        try writeEncConf(text, security: security, side: "server", name: name)
    }

    func testEncryptedOpingForEveryCipherAndKeyExchange() throws {
        var runs: [(name: String, conf: String, cipher: String, kem: StaticKEMKeys.Algorithm?)] = []
        for cipher in ["aes-256-gcm", "chacha20-poly1305"] {
            for kex in ["prime256v1", "X25519", "ML-KEM-768", "X25519MLKEM768"] {
                runs.append(("s.\(runs.count)", "kex = \(kex)\ncipher = \(cipher)\n", cipher, nil))
            }
            for kem in [StaticKEMKeys.Algorithm.mlkem768, .x25519mlkem768] {
                runs.append(("c.\(runs.count)", "kex = \(kem.rawValue)\ncipher = \(cipher)\nkem_mode = client\n", cipher, kem))
            }
        }
        for run in runs {
            try encConf(run.conf, for: run.name)
            if let kem = run.kem { try StaticKEMKeys.install(kem, server: security, client: security, name: run.name) }
        }
        try startLayer()
        for run in runs {
            try opingServer(run.name)
            let r = try node.run("oping", ["-n", run.name, "-c", "3", "-i", "20"])
            XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), "\(run.conf): \(r.output)\n\(node.irmdLog)")
            XCTAssertTrue(node.irmdLog.contains("encrypted with \(run.cipher)."), run.conf)
        }
        XCTAssertEqual(node.irmdLog.components(separatedBy: "encrypted with").count - 1, runs.count)
    }

    func testAuthenticatedEncryptedOping() throws {
        guard TestPKI.isAvailable else { throw XCTSkip("needs the openssl CLI") }
        let pki = try TestPKI()
        try pki.install(into: security)
        try pki.leaf("server", cn: "auth.srv")
        try pki.leaf("client", cn: "client.a")
        try pki.install(leaf: "server", into: security, side: "server", name: "auth.srv")
        try pki.install(leaf: "client", into: security, side: "client", name: "auth.srv")
        try encConf("kex = secp384r1\ncipher = chacha20-poly1305\nkdf = sha384\ndigest = sha384\n", for: "auth.srv")
        try startLayer()
        try opingServer("auth.srv")
        let r = try node.run("oping", ["-n", "auth.srv", "-c", "3", "-i", "20"])
        XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output + node.irmdLog)
    }

    func testEncryptedReliableTransferWithFRCT() throws {
        try encConf("kex = X25519\ncipher = aes-256-gcm\n", for: "sink.enc")
        try startLayer()
        XCTAssertEqual(try node.irm("reg name sink.enc layer lo").status, 0)
        let sink = try node.spawn("FlowProbe", ["sink", "0"])
        XCTAssertTrue(node.waitForOutput(sink, "ready"))
        XCTAssertEqual(try node.irm("bind process \(sink.processIdentifier) name sink.enc").status, 0)
        let r = try node.run("FlowProbe", ["source", "sink.enc", "data", "2000000", "1000"], timeout: 120)
        XCTAssertTrue(r.output.contains("dealloc ok"), r.output + node.irmdLog)
        XCTAssertTrue(node.waitForOutput(sink, "received", seconds: 20), node.output(of: sink))
        func field(_ text: String, after word: String) -> String? {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard let i = parts.firstIndex(where: { $0 == word }), i + 1 < parts.count else { return nil }
            return String(parts[i + 1])
        }
        let got = node.output(of: sink)
        XCTAssertEqual(field(got, after: "messages"), "2000000", got)
        XCTAssertEqual(field(got, after: "checksum"), field(r.output, after: "checksum"), got + r.output)
        XCTAssertTrue(node.irmdLog.contains("encrypted with aes-256-gcm."))
    }

    /// A FlowProbe acceptor bound to `name`.
    private func acceptor(_ name: String) throws -> Process {
        XCTAssertEqual(try node.irm("reg name \(name) layer lo").status, 0)
        let p = try node.spawn("FlowProbe", ["accept", "10000"])
        XCTAssertTrue(node.waitForOutput(p, "ready"))
        XCTAssertEqual(try node.irm("bind process \(p.processIdentifier) name \(name)").status, 0)
        return p
    }

    func testUntrustedClientIsRefusedWithEAUTHOnBothSides() throws {
        guard TestPKI.isAvailable else { throw XCTSkip("needs the openssl CLI") }
        let pki = try TestPKI()
        try pki.install(into: security)
        try pki.leaf("client", cn: "client.a", rogue: true)
        try pki.install(leaf: "client", into: security, side: "client", name: "guarded")
        try startLayer()
        let server = try acceptor("guarded")
        let r = try node.run("FlowProbe", ["alloc", "guarded", "5000"])
        XCTAssertEqual(r.output, "error \(OuroError.auth.code)\n", node.irmdLog)
        XCTAssertTrue(node.waitForOutput(server, "error \(OuroError.auth.code)"), node.output(of: server))
        XCTAssertTrue(node.irmdLog.contains("certificate not trusted"))
    }

    func testServerWithAnotherNamesCertificateIsRefusedByTheClient() throws {
        guard TestPKI.isAvailable else { throw XCTSkip("needs the openssl CLI") }
        let pki = try TestPKI()
        try pki.install(into: security)
        try pki.leaf("server", cn: "someone.else")
        try pki.install(leaf: "server", into: security, side: "server", name: "spoofed")
        try startLayer()
        _ = try acceptor("spoofed")
        let r = try node.run("FlowProbe", ["alloc", "spoofed", "5000"])
        XCTAssertEqual(r.output, "error \(OuroError.crypt.code)\n", node.irmdLog)
        XCTAssertTrue(node.irmdLog.contains("does not match spoofed"), node.irmdLog)
    }

    func testUnavailableAlgorithmFailsWithENOTSUP() throws {
        try encConf("kex = X448\n", for: "x448.srv")
        try startLayer()
        _ = try acceptor("x448.srv")
        let r = try node.run("FlowProbe", ["alloc", "x448.srv", "5000"])
        XCTAssertEqual(r.output, "error \(OuroError.notSupported.code)\n")
        XCTAssertTrue(node.irmdLog.contains("X448 not available"), node.irmdLog)
    }

    func testUnparsableTrustStoreStopsIrmd() throws {
        try FileManager.default.createDirectory(atPath: security + "/cacert", withIntermediateDirectories: true)
        try "junk".write(toFile: security + "/cacert/bad.pem", atomically: true, encoding: .utf8)
        let r = try node.run("irmd", ["--stdout"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("Failed to load the certificate store"), r.output)
    }
}
