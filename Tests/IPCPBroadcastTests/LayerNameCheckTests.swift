import DevKit
import XCTest
@testable import IPCPBroadcast

/// The join hash check (ipcps.md §7.2, §10 item 38).
final class LayerNameCheckTests: XCTestCase {
    func testTheLayerDigestMatches() {
        XCTAssertTrue(LayerNameCheck.matches(HashAlgorithm.sha3_256.digest(name: "bc"), layer: "bc"))
    }

    /// The reference lets through any digest that compares lower than the
    /// expected one; every mismatch is refused here.
    func testEveryMismatchIsRefused() {
        let expected = HashAlgorithm.sha3_256.digest(name: "bc")
        var lower = expected
        var higher = expected
        lower[31] = expected[31] == 0 ? 0 : expected[31] - 1
        lower[0] = 0
        higher[0] = 0xFF
        higher[31] = expected[31] == 0xFF ? 0xFF : expected[31] + 1
        for wrong in [lower, higher, HashAlgorithm.sha3_256.digest(name: "other"), Array(expected.prefix(16)), []] {
            XCTAssertFalse(LayerNameCheck.matches(wrong, layer: "bc"), "\(wrong)")
        }
        XCTAssertFalse(LayerNameCheck.matches(HashAlgorithm.sha3_512.digest(name: "bc"), layer: "bc"))
    }
}
