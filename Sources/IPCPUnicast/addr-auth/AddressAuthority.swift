import IPCPCommon

/// An address authority policy (ipcps.md §6.2): picks this IPCP's address.
public protocol AddressAuthority: Sendable {
    /// A fresh, valid address.
    func assign() -> Address
}
