import DevKit
import IPCPCommon
import XCTest
@testable import IPCPUnicast

/// The DT PCI against ipcps.md §9.1 and the captured DT packets.
final class PCITests: XCTestCase {
    func testSpecExample() throws {
        let bytes: [UInt8] = [0x0D, 0x0C, 0x0B, 0x0A, 0x00, 0x3C, 0x00, 0x41, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12]
        let pci = PCI(destination: Address(0x0A0B_0C0D), cube: 0, ttl: 60, ecn: 0, eid: 0x1234_5678_0000_0041)
        XCTAssertEqual(PCI.length, 15)
        XCTAssertEqual(pci.serialize(), bytes)
        XCTAssertEqual(try PCI(parsing: bytes + [1, 2, 3]), pci)
    }

    func testCapturedDataPackets() throws {
        let packets = try Vector.load("unicast-core.txt").filter { $0.title.hasPrefix("DT data packet") }
        XCTAssertEqual(packets.count, 6)
        let a = Address(0x1AEE_F404), b = Address(0xE681_20BE)
        let first = try PCI(parsing: packets[0].bytes)
        XCTAssertEqual(first, PCI(destination: a, cube: 0, ttl: 60, ecn: 0, eid: 0xC1DE_EAD7_0000_0042))
        let reply = try PCI(parsing: packets[1].bytes)
        XCTAssertEqual(reply, PCI(destination: b, cube: 0, ttl: 60, ecn: 0, eid: 0x30CC_4FC7_0000_0042))
        for p in packets {
            let pci = try PCI(parsing: p.bytes)
            XCTAssertGreaterThanOrEqual(pci.eid, ComponentEndpoint.firstFlowEndpoint, p.title)
            XCTAssertEqual(pci.serialize(), Array(p.bytes.prefix(PCI.length)), p.title)
        }
    }

    func testShortPacketIsRejected() {
        XCTAssertThrowsError(try PCI(parsing: [UInt8](repeating: 0, count: 14)))
        XCTAssertThrowsError(try PCI(parsing: []))
    }

    func testAddressLogForm() {
        XCTAssertEqual(Address(0x0A0B_0C0D).description, "0d.0c.0b.0a")
    }
}
