import DevKit
import XCTest
@testable import IRMCLI

/// The building blocks: keyword matching, option lists, number parsing, the
/// glob and program resolution.
final class GrammarTests: XCTestCase {
    func testKeywordPrefixes() {
        XCTAssertTrue(selects("i", "ipcp"))
        XCTAssertTrue(selects("ipcp", "ipcp"))
        XCTAssertTrue(selects("", "ipcp"))
        XCTAssertFalse(selects("ipcps", "ipcp"))
        XCTAssertFalse(selects("p", "ipcp"))
    }

    func testOptionList() {
        let specs: [OptionSpec] = [.value("name"), .exactFlag("auto"), .flag("autobind")]
        let list = OptionList(["n", "a", "auto", "autob", "name", "b", "--", "x"], specs, terminator: "--")
        XCTAssertNil(list.stop)
        XCTAssertEqual(list.values("name"), ["a", "b"])
        XCTAssertEqual(list.value("name"), "b")
        XCTAssertTrue(list.has("auto"))
        XCTAssertTrue(list.has("autobind"))
        XCTAssertEqual(list.trailing, ["x"])
        guard case .unknown("au")? = OptionList(["au"], [.value("name"), .exactFlag("auto")]).stop else {
            return XCTFail("an exact flag is not abbreviated")
        }
        guard case .missingValue("n")? = OptionList(["n"], specs).stop else { return XCTFail("missing value") }
        // Table order decides: a prefix flag listed first shadows the exact one.
        XCTAssertTrue(OptionList(["auto"], [.flag("autobind"), .exactFlag("auto")]).has("autobind"))
    }

    func testCIntegers() {
        XCTAssertEqual(cInteger("42"), 42)
        XCTAssertEqual(cInteger("  -7x"), -7)
        XCTAssertEqual(cInteger("x"), 0)
        XCTAssertEqual(UInt8(truncatingIfNeeded: cInteger("300")), 44)
        XCTAssertTrue(leadingInteger("0xA0b1", radix: 16) == (0xA0B1, true))
        XCTAssertTrue(leadingInteger("a001", radix: 16) == (0xA001, true))
        XCTAssertTrue(leadingInteger("0x", radix: 16) == (0, false))
        XCTAssertFalse(leadingInteger("12 ", radix: 10).complete)
        XCTAssertFalse(leadingInteger("", radix: 10).complete)
    }

    func testWildcard() {
        XCTAssertTrue(wildcardMatches(pattern: "*", ""))
        XCTAssertTrue(wildcardMatches(pattern: "u*", "uni"))
        XCTAssertTrue(wildcardMatches(pattern: "*i", "uni"))
        XCTAssertTrue(wildcardMatches(pattern: "u*i*", "uni"))
        XCTAssertFalse(wildcardMatches(pattern: "*x", ""))
        XCTAssertFalse(wildcardMatches(pattern: "uni", "uni1"))
        XCTAssertFalse(wildcardMatches(pattern: "mgmt", "dt"))
    }

    func testProgramResolution() throws {
        var environment = FakeEnvironment()
        XCTAssertEqual(try environment.resolveProgram("oecho"), "/usr/local/bin/oecho")
        XCTAssertEqual(try environment.resolveProgram("/usr/local/bin/ocbr"), "/usr/local/bin/ocbr")
        XCTAssertThrowsError(try environment.resolveProgram("plain")) { XCTAssertEqual($0 as? OuroError, .permission) }
        XCTAssertThrowsError(try environment.resolveProgram("ghost")) { XCTAssertEqual($0 as? OuroError, .noEntry) }
        environment.searchPath = "/usr/bin:bin"
        XCTAssertThrowsError(try environment.resolveProgram("ghost")) { XCTAssertEqual($0 as? OuroError, .invalid) }
        environment.searchPath = ""
        XCTAssertThrowsError(try environment.resolveProgram("oping")) { XCTAssertEqual($0 as? OuroError, .noEntry) }
        environment.searchPath = nil
        XCTAssertThrowsError(try environment.resolveProgram("/usr/local/bin/oping")) {
            XCTAssertEqual($0 as? OuroError, .noEntry)
        }
    }

    func testSystemEnvironment() throws {
        let system = SystemEnvironment()
        XCTAssertEqual(try system.realPath("/usr/../usr/bin"), "/usr/bin")
        XCTAssertThrowsError(try system.realPath("/definitely/not/here")) {
            XCTAssertEqual($0 as? OuroError, .noEntry)
        }
        XCTAssertEqual(system.access("/bin/sh"), .executable)
        XCTAssertEqual(system.access("/etc/hostname-does-not-exist"), .missing)
        XCTAssertTrue(system.processExists(getpid()))
    }
}
