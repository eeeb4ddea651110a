import DevKit

/// The check a join request's hash must pass (ipcps.md §7.2): it is the
/// SHA3-256 digest of the layer's name.
enum LayerNameCheck {
    /// [ref-quirk] fixed: the reference only rejects digests that compare
    /// greater than the expected one; any mismatch is rejected here.
    static func matches(_ hash: [UInt8], layer: String) -> Bool {
        hash == HashAlgorithm.sha3_256.digest(name: layer)
    }
}
