import DevKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `irmd --config`: a file that sets up a local layer with names and
/// auto-started programs, and bad files that stop irmd cleanly.
final class ConfigurationFileTests: XCTestCase {
    var node: TestInstance!

    override func setUpWithError() throws {
        node = try TestInstance()
    }

    override func tearDown() {
        node?.tearDown()
    }

    private func write(_ text: String) -> String {
        let path = node.runDirectory + "/irmd.conf"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func testLocalLayerWithAutoStartedServer() throws {
        let path = write("""
            [name."my.oping.server"]
            prog=["\(buildDirectory)/oping"]
            args=["-l"]
            lb="round-robin"

            [local.lo]
            bootstrap="lo"
            autobind=true
            reg=["my.oping.server"]
            """)
        try node.startIRMd(arguments: ["--stdout", "--config", path])
        let list = try node.irm("ipcp list").output
        XCTAssertTrue(list.contains("|                   lo |      local |                   lo |"), list + node.irmdLog)
        let names = try node.irm("name list").output
        XCTAssertTrue(names.contains("my.oping.server |          round-robin |"), names)
        XCTAssertTrue(names.contains("lo |            spillover |"), "autobind created the layer name: \(names)")
        let r = try node.run("oping", ["-n", "my.oping.server", "-c", "3", "-i", "20"])
        XCTAssertTrue(r.output.contains("3 packets transmitted, 3 received"), r.output + node.irmdLog)
        XCTAssertEqual(node.stop(), 0)
        XCTAssertEqual(node.shmObjects, [])
    }

    func testBadFileStopsIRMdWithItsLineAndKey() throws {
        let path = write("[local.lo]\nbootstrap=\"lo\"\n\n[eth-dix.e]\nbootstrap=\"e\"\ndev=\"lo\"\nethertype=0x10\n")
        let r = try node.run("irmd", ["--stdout", "--config", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.output.contains("\(path):7: ethertype: 16 is out of range"), r.output)
        XCTAssertFalse(r.output.contains("Created IPCP"), "nothing was applied")
        XCTAssertEqual(node.shmObjects, [])
    }

    func testFailingStepShutsEverythingDown() throws {
        let path = write("[local.lo]\nbootstrap=\"lo\"\n\n[eth-dix.e]\nbootstrap=\"e\"\ndev=\"no-such-device0\"\n")
        let r = try node.run("irmd", ["--stdout", "--config", path], timeout: 60)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("Failed to apply configuration file"), r.output)
        XCTAssertEqual(node.shmObjects, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: node.instance.irmSocketPath))
    }
}
