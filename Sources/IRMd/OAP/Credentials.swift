#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// A side's certificate and private key (spec host.md §7.5): used only when
/// both files exist.
struct Credentials {
    /// The certificate, DER.
    let certificate: [UInt8]
    let key: SigningKey

    /// The credentials at these paths; nil when either file is missing,
    /// `SignatureError.unreadableKey` when one cannot be loaded.
    static func load(_ paths: SecurityPaths) throws(SignatureError) -> Credentials? {
        guard !paths.crt.isEmpty, !paths.key.isEmpty, access(paths.crt, F_OK) == 0, access(paths.key, F_OK) == 0 else {
            return nil
        }
        guard let text = readTextFile(paths.crt), let (label, der) = try? PEM.decode(text), label == "CERTIFICATE" else {
            throw .unreadableKey(paths.crt)
        }
        guard let keyText = readTextFile(paths.key) else { throw .unreadableKey(paths.key) }
        return Credentials(certificate: der, key: try SigningKey(pem: keyText))
    }
}
