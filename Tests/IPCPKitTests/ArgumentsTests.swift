import DevKit
import XCTest
@testable import IPCPKit

final class ArgumentsTests: XCTestCase {
    func testValidCommandLines() throws {
        let stdout = try IPCPArguments(["/usr/sbin/ipcpd-local", "1234", "lo"])
        XCTAssertEqual(stdout.irmdPID, 1234)
        XCTAssertEqual(stdout.name, "lo")
        XCTAssertEqual(stdout.logDestination, .stdout)
        XCTAssertEqual(stdout.program, "ipcpd-local")

        let syslog = try IPCPArguments(["ipcpd-udp4", "7", "my udp", "1"])
        XCTAssertEqual(syslog.logDestination, .syslog)
        XCTAssertEqual(syslog.program, "ipcpd-udp4")
        XCTAssertEqual(syslog.name, "my udp")
    }

    func testInvalidCommandLines() {
        let bad: [[String]] = [
            [], ["ipcpd-local"], ["ipcpd-local", "1234"], ["ipcpd-local", "1234", "lo", "1", "extra"],
            ["ipcpd-local", "0", "lo"], ["ipcpd-local", "x", "lo"], ["ipcpd-local", "", "lo"],
        ]
        for argv in bad {
            XCTAssertThrowsError(try IPCPArguments(argv), "\(argv)")
        }
    }
}
