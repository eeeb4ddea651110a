#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Crypto
import Synchronization
import X509

/// Why a peer failed authentication, or the store failed to load; `EAUTH`.
enum TrustError: Error, Equatable {
    /// A non-regular entry or an unparsable certificate in a store directory.
    case badStoreEntry(String)
    /// The peer's certificate is not DER X.509 of a key type swift-certificates knows.
    case unparsableCertificate
    /// No chain from the certificate to a trusted one.
    case untrusted
}

/// The certificates irmd trusts (spec host.md §1.3 step 8, §7.4 step 4),
/// loaded once at start from `cacert/` and `untrusted/` of the security
/// directory. A chain must end at a certificate from `cacert/`; those from
/// `untrusted/` serve as intermediates. (The reference puts both in one
/// store; the results only differ for a self-signed certificate placed in
/// `untrusted/`, which the reference would trust.)
struct TrustStore: Sendable {
    let roots: [Certificate]
    let intermediates: [Certificate]

    init(roots: [Certificate] = [], intermediates: [Certificate] = []) {
        self.roots = roots
        self.intermediates = intermediates
    }

    /// Loads `<dir>/cacert` and `<dir>/untrusted`; a missing directory is fine.
    init(securityDirectory dir: String) throws(TrustError) {
        roots = try TrustStore.load(directory: dir + "/cacert")
        intermediates = try TrustStore.load(directory: dir + "/untrusted")
    }

    private static func load(directory: String) throws(TrustError) -> [Certificate] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        var out: [Certificate] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG,
                  let text = readTextFile(path), let crt = try? Certificate(pemEncoded: text) else {
                throw .badStoreEntry(path)
            }
            out.append(crt)
        }
        return out
    }

    /// Verifies a peer's DER certificate and returns it (spec host.md §7.4 step 4).
    func verify(der: [UInt8]) throws(TrustError) -> Certificate {
        guard let crt = try? Certificate(derEncoded: der) else { throw .unparsableCertificate }
        let valid = Mutex(false)
        let done = DispatchSemaphore(value: 0)
        let roots = CertificateStore(self.roots), intermediates = CertificateStore(self.intermediates)
        Task {
            var verifier = Verifier(rootCertificates: roots) { RFC5280Policy() }
            if case .validCertificate = await verifier.validate(leaf: crt, intermediates: intermediates) {
                valid.withLock { $0 = true }
            }
            done.signal()
        }
        done.wait()
        guard valid.withLock({ $0 }) else { throw .untrusted }
        return crt
    }
}

extension Certificate {
    /// The subject's CN as the reference reads it: the text after the first
    /// `CN=` up to a `,` or `/`; nil without one.
    var commonName: String? {
        for rdn in subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(String(describing: attribute.value).prefix { $0 != "," && $0 != "/" })
            }
        }
        return nil
    }
}

extension VerifyingKey {
    /// The signature key of a certificate; nil for key types OAP cannot use.
    init?(_ key: Certificate.PublicKey) {
        if let k = P256.Signing.PublicKey(key) {
            self = .p256(k)
        } else if let k = P384.Signing.PublicKey(key) {
            self = .p384(k)
        } else if let k = P521.Signing.PublicKey(key) {
            self = .p521(k)
        } else if let k = Curve25519.Signing.PublicKey(key) {
            self = .ed25519(k)
        } else {
            return nil
        }
    }
}
