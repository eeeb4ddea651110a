import IPCPCommon

/// The flat random policy (ipcps.md §6.2): 32 random bits from the system
/// RNG, redrawn while 0; no uniqueness check, no coordination.
public struct FlatAddressAuthority: AddressAuthority {
    /// The only address size this policy supports, in bytes.
    public static let addressSize: UInt8 = 4

    public init() {}

    public func assign() -> Address {
        var rng = SystemRandomNumberGenerator()
        return Address(UInt64(UInt32.random(in: 1...UInt32.max, using: &rng)))
    }
}
