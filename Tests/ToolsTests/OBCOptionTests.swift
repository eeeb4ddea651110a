import ToolSupport
import XCTest

/// `obc`'s command line and message format (spec host.md §9.5).
final class OBCOptionTests: XCTestCase {
    func testReaderAndWriter() throws {
        XCTAssertEqual(try OBCOptions.parse(["-l", "-n", "bc"]), OBCOptions(layer: "bc", listen: true))
        XCTAssertEqual(try OBCOptions.parse(["--name", "bc", "--listen"]), OBCOptions(layer: "bc", listen: true))
        XCTAssertEqual(try OBCOptions.parse(["-n", "bc", "-m", "hello"]), OBCOptions(layer: "bc", message: "hello"))
        XCTAssertEqual(try OBCOptions.parse(["--message", "hi", "--name", "x"]), OBCOptions(layer: "x", message: "hi"))
        XCTAssertEqual(try OBCOptions.parse(["-n", "bc"]).message, "Ouroboros multicast rocks!")
    }

    func testNameIsRequired() {
        XCTAssertThrowsError(try OBCOptions.parse(["-l"])) { error in
            let e = error as! OptionError
            XCTAssertEqual(e.message, "Please specify a name.\n")
            XCTAssertTrue(e.showUsage)
            XCTAssertEqual(e.exitCode, 1)
        }
        XCTAssertThrowsError(try OBCOptions.parse(["-n"])) { XCTAssertEqual(($0 as! OptionError).exitCode, 1) }
    }

    func testAnythingElseShowsUsageAndSucceeds() {
        for args in [["--help"], ["-n", "bc", "-x"], ["bc"]] {
            XCTAssertThrowsError(try OBCOptions.parse(args)) { XCTAssertEqual($0 as? OptionError, .help, "\(args)") }
        }
        XCTAssertTrue(OBCOptions.usage.hasPrefix("Usage: obc [OPTION]...\nSends a message to a broadcast network\n\n"))
    }

    func testMessageIsSentWithItsNulAndPrintedUpToIt() {
        XCTAssertEqual(OBCOptions(layer: "bc", message: "hi").payload, [0x68, 0x69, 0])
        XCTAssertEqual(OBCOptions.text([0x68, 0x69, 0, 0x41]), "hi")
        XCTAssertEqual(OBCOptions.text([0x68, 0x69]), "hi")
    }
}
