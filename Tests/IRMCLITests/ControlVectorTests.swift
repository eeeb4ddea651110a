import DevKit
import XCTest
@testable import IRMCLI

/// Every command line of the reference captures: our requests must be the
/// reference's bytes, in order, and the exit status the same.
final class ControlVectorTests: XCTestCase {
    func testFixtureIsComplete() throws {
        let cases = try ControlCase.load()
        XCTAssertEqual(cases.count, 66)
        XCTAssertEqual(cases.reduce(0) { $0 + $1.requestHex.count }, 131)
    }

    func testEveryCommandSendsTheReferenceBytes() throws {
        // The fake environment has the captured programs and credential files,
        // and treats the capture's helper pid 20957 as alive, so `bind process`
        // reproduces the captured bytes too.
        for vector in try ControlCase.load() {
            let run = Run(vector.command, replies: vector.replies)
            XCTAssertEqual(run.status, noNameUnbinds[vector.name] == nil ? vector.exitStatus : 0, "\(vector.name): exit status")
            XCTAssertEqual(run.hex, expectedHex(vector), "\(vector.name): \(vector.command)\n\(run.out)")
        }
    }

    /// `unbind program|process` without a name: the reference's library sends
    /// nothing and fails; we send the IRMd's no-name form its usage promises.
    private let noNameUnbinds = [
        "unbind-program-noname": "080a1214" + Array("/usr/local/bin/oping".utf8).hexString,
        "unbind-process-noname": "080e18bac702",
    ]

    /// The captured bytes, except where we deliberately differ.
    private func expectedHex(_ vector: ControlCase) -> [String] {
        if let hex = noNameUnbinds[vector.name] { return [hex] }
        guard vector.name == "bootstrap-eth-llc" else { return vector.requestHex }
        // For eth-llc the reference never sets `eth.ethertype`: the captured
        // value (14564) is uninitialised stack memory. We send 0; everything
        // else must match.
        return vector.requestHex.map { hex in
            guard var msg = try? irm_msg(serializedBytes: bytes(hex)), msg.code == .irmBootstrapIpcp else { return hex }
            XCTAssertEqual(msg.conf.eth.ethertype, 14564)
            msg.conf.eth.ethertype = 0
            return try! Array(msg.serializedBytes() as [UInt8]).hexString
        }
    }

    func testEthLLCSendsZeroEthertype() {
        let run = Run("irm ipcp bootstrap type eth-llc name llc1 layer llc dev veth0",
                      replies: [reply(ipcps: [ipcpEntry(4104, .ethLLC, "llc1")])])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.requests.last?.conf.eth.ethertype, 0)
        XCTAssertEqual(run.requests.last?.conf.eth.hasEthertype, true)
    }
}

func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = hex.utf8.makeIterator()
    while let hi = it.next(), let lo = it.next() {
        out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
    }
    return out
}
