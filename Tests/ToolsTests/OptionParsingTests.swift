import DevKit
import XCTest
@testable import ToolSupport

final class OptionParsingTests: XCTestCase {
    private func oping(_ args: String) throws -> OPingOptions {
        try OPingOptions.parse(args.split(separator: " ").map(String.init))
    }

    private func opingError(_ args: String) -> OptionError? {
        do {
            _ = try oping(args)
            return nil
        } catch {
            return error as? OptionError
        }
    }

    func testNumbers() throws {
        XCTAssertEqual(NumberParsing.split("10ms").value, 10)
        XCTAssertEqual(NumberParsing.split("10ms").unit, "ms")
        XCTAssertEqual(NumberParsing.split("-3").value, -3)
        XCTAssertNil(NumberParsing.split("s").value)
        XCTAssertNil(NumberParsing.split("99999999999999999999").value)
        XCTAssertEqual(try NumberParsing.milliseconds("7"), 7)
        XCTAssertEqual(try NumberParsing.milliseconds("7ms"), 7)
        XCTAssertEqual(try NumberParsing.milliseconds("7s"), 7000)
        XCTAssertEqual(try NumberParsing.milliseconds("2m"), 120_000)
        XCTAssertEqual(try NumberParsing.milliseconds("1h"), 3_600_000)
        XCTAssertEqual(try NumberParsing.milliseconds("1d"), 86_400_000)
        XCTAssertThrowsError(try NumberParsing.milliseconds("7y")) {
            XCTAssertEqual($0 as? OptionError, .failure("Unknown time unit: y."))
        }
        XCTAssertThrowsError(try NumberParsing.milliseconds("ms"))
        XCTAssertThrowsError(try NumberParsing.milliseconds("-5"))
        XCTAssertEqual(try NumberParsing.rate("5", plain: 1000), 5000)
        XCTAssertEqual(try NumberParsing.rate("5", plain: 1), 5)
        XCTAssertEqual(try NumberParsing.rate("5k", plain: 1), 5000)
        XCTAssertEqual(try NumberParsing.rate("5M", plain: 1), 5_000_000)
        XCTAssertEqual(try NumberParsing.rate("5G", plain: 1), 5_000_000_000)
        XCTAssertThrowsError(try NumberParsing.rate("5T", plain: 1)) {
            XCTAssertEqual($0 as? OptionError, .failure("Unknown rate unit: T."))
        }
        XCTAssertThrowsError(try NumberParsing.integer("12a", what: "size")) {
            XCTAssertEqual($0 as? OptionError, .failure("Invalid size: 12a."))
        }
    }

    func testOPingDefaults() throws {
        let o = try oping("")
        XCTAssertFalse(o.listen)
        XCTAssertEqual(o.count, 2_147_483_647)
        XCTAssertEqual(o.intervalMs, 1000)
        XCTAssertEqual(o.size, 64)
        XCTAssertEqual(o.mode, .threaded)
        XCTAssertEqual(o.qos, .raw)
        XCTAssertNil(o.serverName)
        XCTAssertEqual(o.notes, [])
    }

    func testOPingGoodLines() throws {
        let table: [(String, (OPingOptions) -> Bool)] = [
            ("-n my.oping.server -c 3", { $0.serverName == "my.oping.server" && $0.count == 3 }),
            ("--server-name a --count 0", { $0.serverName == "a" && $0.count == 0 }),
            ("-i 10s", { $0.intervalMs == 10_000 }),
            ("--interval 0", { $0.intervalMs == 0 }),
            ("-d 10s -i 100", { $0.count == 100 }),
            ("-i 0 -d 5", { $0.count == 50 }),
            ("-d 3s", { $0.count == 3 }),
            ("-s 1000", { $0.size == 1000 }),
            ("-q video", { $0.qosName == "video" && $0.qos == .video }),
            ("--qos best", { $0.qos == .bestEffort }),
            ("-q voice", { $0.qos == .voice }),
            ("-q data", { $0.qos == .data }),
            ("-q raw", { $0.qos == .raw && $0.notes.isEmpty }),
            ("-q gold", { $0.qos == .raw && $0.qosName == "raw" && $0.notes == ["Unknown QoS cube, defaulting to raw."] }),
            ("-f", { $0.mode == .flood }),
            ("--flood-busy", { $0.mode == .floodBusy }),
            ("-f -F", { $0.mode == .floodBusy }),
            ("-l --poll", { $0.listen && $0.poll && !$0.busy }),
            ("--listen --busy -Q", { $0.listen && $0.busy && $0.quiet }),
            ("-D --quiet", { $0.timeOfDay && $0.quiet }),
        ]
        for (line, check) in table {
            XCTAssertTrue(check(try oping(line)), line)
        }
    }

    func testOPingBadLines() {
        let table: [(String, OptionError)] = [
            ("-c", .usage),
            ("-n", .usage),
            ("-n x -i", .usage),
            ("-x", .usage),
            ("--listen extra", .usage),
            ("--help", .help),
            ("-i 5y", .failure("Unknown time unit: y.")),
            ("-c -1", .failure("Invalid count: -1.")),
            ("-c many", .failure("Invalid count: many.")),
            ("-s big", .failure("Invalid size: big.")),
        ]
        for (line, expected) in table {
            XCTAssertEqual(opingError(line), expected, line)
        }
    }

    func testOPingClientSettings() throws {
        XCTAssertThrowsError(try oping("-c 3").clientSettings()) {
            XCTAssertEqual($0 as? OptionError, .failure("No server specified.", usage: true))
        }
        var s = try oping("-n x -s 10 -i 20s").clientSettings()
        XCTAssertEqual(s.options.size, 64)
        XCTAssertEqual(s.options.intervalMs, 10_000)
        XCTAssertEqual(s.notes, ["Ping interval truncated to 10s.", "Packet size set to 64 bytes."])
        s = try oping("-n x -s 9000").clientSettings()
        XCTAssertEqual(s.options.size, 1500)
        XCTAssertEqual(s.notes, ["Packet size truncated to 1500 bytes."])
        s = try oping("-n x -s 1500 -i 10s").clientSettings()
        XCTAssertEqual(s.notes, [])
    }

    private func operf(_ args: String) throws -> OPerfOptions {
        try OPerfOptions.parse(args.split(separator: " ").map(String.init))
    }

    func testOPerf() throws {
        let d = try operf("")
        XCTAssertEqual(d.durationMs, 60_000)
        XCTAssertEqual(d.rate, 1_000_000)
        XCTAssertEqual(d.size, 1500)
        XCTAssertEqual(d.testName, "uni")
        XCTAssertFalse(d.flood || d.sleep || d.listen)
        let o = try operf("-n srv -t bi -d 5s -r 100 -s 8000 -f --sleep")
        XCTAssertEqual(o.serverName, "srv")
        XCTAssertEqual(o.durationMs, 5000)
        XCTAssertEqual(o.rate, 100_000)
        XCTAssertEqual(o.size, 8000)
        XCTAssertTrue(o.flood && o.sleep)
        XCTAssertEqual(try operf("-r 2G").rate, 2_000_000_000)
        XCTAssertEqual(try operf("--rate 3M").rate, 3_000_000)
        XCTAssertEqual(try operf("-l").listen, true)

        XCTAssertThrowsError(try operf("-x")) { XCTAssertEqual($0 as? OptionError, .help) }
        XCTAssertThrowsError(try operf("--help")) { XCTAssertEqual($0 as? OptionError, .help) }
        XCTAssertThrowsError(try operf("-n")) { XCTAssertEqual($0 as? OptionError, .usage) }
        XCTAssertThrowsError(try operf("-r 3Q")) { XCTAssertEqual($0 as? OptionError, .failure("Unknown rate unit: Q.")) }

        XCTAssertThrowsError(try operf("-t bi").clientSettings()) {
            XCTAssertEqual($0 as? OptionError, .failure("No server specified."))
        }
        XCTAssertThrowsError(try operf("-n x -t tri").clientSettings()) {
            XCTAssertEqual($0 as? OptionError, .failure("Invalid test type."))
        }
        let big = try operf("-n x -t bi -s 2000000").clientSettings()
        XCTAssertEqual(big.test, .bidirectional)
        XCTAssertEqual(big.options.size, 1 << 20)
        XCTAssertEqual(big.notes, ["Packet size truncated to 1048576 bytes."])
        let small = try operf("-n x -s 1").clientSettings()
        XCTAssertEqual(small.test, .unidirectional)
        XCTAssertEqual(small.options.size, 64)
        XCTAssertEqual(small.notes, ["Packet size set to 64 bytes."])
    }

    private func ocbr(_ args: String) throws -> OCBROptions {
        try OCBROptions.parse(args.split(separator: " ").map(String.init))
    }

    func testOCBR() throws {
        let d = try ocbr("")
        XCTAssertEqual(d.reportInterval, 1)
        XCTAssertEqual(d.timeout, 1)
        XCTAssertEqual(d.duration, 60)
        XCTAssertEqual(d.size, 1000)
        XCTAssertEqual(d.rate, 1_000_000)
        XCTAssertTrue(d.sleep)
        XCTAssertFalse(d.flood)
        let o = try ocbr("-l -i 2 -t 5 --server_apn s -d 10 -s 1400 -r 7 --spin -f")
        XCTAssertTrue(o.listen && o.flood && !o.sleep)
        XCTAssertEqual([o.reportInterval, o.timeout, o.duration, o.size, o.rate], [2, 5, 10, 1400, 7])
        XCTAssertEqual(o.serverName, "s")
        XCTAssertEqual(try ocbr("-r 5k").rate, 5000)
        XCTAssertEqual(try ocbr("--spin --sleep").sleep, true)

        XCTAssertThrowsError(try ocbr("-q")) { XCTAssertEqual($0 as? OptionError, .help) }
        XCTAssertThrowsError(try ocbr("-d")) { XCTAssertEqual($0 as? OptionError, .usage) }
        XCTAssertThrowsError(try ocbr("-d 10s")) { XCTAssertEqual($0 as? OptionError, .failure("Invalid duration: 10s.")) }

        XCTAssertThrowsError(try ocbr("").validateClient()) {
            XCTAssertEqual($0 as? OptionError, .failure("No server specified.", usage: true))
        }
        XCTAssertThrowsError(try ocbr("-n s -s 524289").validateClient()) {
            XCTAssertEqual($0 as? OptionError, .failure("Maximum size: 524288."))
        }
        XCTAssertThrowsError(try ocbr("-n s -s -1").validateClient()) {
            XCTAssertEqual($0 as? OptionError, .failure("Size overflow."))
        }
        XCTAssertThrowsError(try ocbr("-n s -r 0").validateClient()) {
            XCTAssertEqual($0 as? OptionError, .failure("Invalid rate."))
        }
        XCTAssertNoThrow(try ocbr("-n s -s 524288").validateClient())
    }

    func testOEcho() throws {
        XCTAssertFalse(try OEchoOptions.parse([]))
        XCTAssertTrue(try OEchoOptions.parse(["-l"]))
        XCTAssertTrue(try OEchoOptions.parse(["--listen"]))
        XCTAssertThrowsError(try OEchoOptions.parse(["-n", "x"])) { XCTAssertEqual($0 as? OptionError, .help) }
    }
}
