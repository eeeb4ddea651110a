import DevKit
import IPCPCommon
@testable import IPCPUnicast
import XCTest

/// Lookups, publication, replication and expiry on 20–40 in-process nodes.
final class DHTNetworkTests: XCTestCase {
    private var net: DHTNetwork!

    override func tearDown() {
        net?.stop()
        net = nil
    }

    /// Nodes 1...count, each bootstrapping through a random earlier one.
    private func build(_ count: Int, config: DHTConfig = DHTConfig()) -> [UInt64] {
        net = DHTNetwork(config: config)
        let addresses = (1...UInt64(count)).map { $0 * 0x100 }
        for (i, a) in addresses.enumerated() {
            let node = net.add(a, peer: i == 0 ? 0 : addresses[Int.random(in: 0..<i)])
            XCTAssertTrue(node.bootstrap())
            net.settle()
        }
        return addresses
    }

    private func key(_ name: String) -> [UInt8] { HashAlgorithm.sha3_256.digest(name: name) }

    func testLookupsFindNodesAndValues() {
        let addresses = build(40)
        for a in addresses {
            XCTAssertGreaterThanOrEqual(net.node(a).contacts.count, 8, "node \(a) learned the network")
        }
        var registrar: [String: UInt64] = [:]
        for i in 0..<10 {
            let name = "name.\(i)"
            registrar[name] = addresses.randomElement()!
            net.node(registrar[name]!).register(key(name))
        }
        net.settle()
        for (name, at) in registrar {
            for querier in addresses.filter({ $0 != at }).shuffled().prefix(5) {
                XCTAssertEqual(net.node(querier).query(key(name)), Address(at), "\(name) from \(querier)")
            }
            XCTAssertNil(net.node(at).query(key(name)), "never the own address")
        }
        XCTAssertNil(net.node(addresses[3]).query(key("nobody")))
    }

    func testANodeLeaving() {
        let addresses = build(25)
        let name = key("leaving")
        let registrar = addresses[5]
        net.node(registrar).register(name)
        net.settle()
        let holders = addresses.filter { $0 != registrar && !net.node($0).values(for: name).isEmpty }
        XCTAssertGreaterThanOrEqual(holders.count, 3)
        let gone = holders[0]
        func knowing() -> Int { net.liveNodes.filter { $0.contacts.contains { $0.address == gone } }.count }
        net.kill(gone)
        for querier in addresses.filter({ $0 != registrar && $0 != gone }).prefix(8) {
            XCTAssertEqual(net.node(querier).query(name), Address(registrar))
        }
        // Whoever waited for the dead node drops it once its requests time out,
        // and every lookup ends.
        let before = knowing()
        net.clock.advance(by: 1)
        for node in net.liveNodes { node.checkLookups() }
        net.settle()
        for node in net.liveNodes { XCTAssertEqual(node.lookupCount, 0) }
        XCTAssertLessThan(knowing(), before)
    }

    func testValuesExpireAfterUnregistering() {
        let config = DHTConfig(expireSeconds: 100, refreshSeconds: 3600, replicateSeconds: 10)
        let addresses = build(20, config: config)
        let name = key("expiring")
        let registrar = addresses[7]
        net.node(registrar).register(name)
        net.settle()
        net.node(registrar).unregister(name)
        let querier = addresses.first { $0 != registrar }!
        XCTAssertEqual(net.node(querier).query(name), Address(registrar), "copies outlive the registration")
        for _ in 0..<11 {
            net.clock.advance(by: 10)
            for node in net.liveNodes { node.maintenance() }
            net.settle()
        }
        XCTAssertTrue(addresses.allSatisfy { net.node($0).values(for: name).isEmpty }, "expired everywhere after t_expire")
        XCTAssertNil(net.node(addresses.last!).query(name))
    }

    func testRegisteredNamesAreRepublished() {
        let config = DHTConfig(expireSeconds: 100, refreshSeconds: 3600, replicateSeconds: 10)
        let addresses = build(20, config: config)
        let name = key("kept")
        net.node(addresses[2]).register(name)
        net.settle()
        for _ in 0..<30 {
            net.clock.advance(by: 10)
            for node in net.liveNodes { node.maintenance() }
            net.settle()
        }
        XCTAssertEqual(net.node(addresses[11]).query(name), Address(addresses[2]), "still there after 3 × t_expire")
    }

    /// Every key is replicated (the reference only ever replicates one), also
    /// to a node that joined after the names were registered.
    func testReplicationReachesNodesThatJoinLater() {
        let config = DHTConfig(expireSeconds: 1000, refreshSeconds: 500, replicateSeconds: 10)
        net = DHTNetwork(config: config)
        let first = net.add(0x100)
        let names = (0..<5).map { key("early.\($0)") }
        names.forEach(first.register)
        let late = net.add(0x200, peer: 0x100)
        XCTAssertTrue(late.bootstrap())
        net.settle()
        XCTAssertTrue(names.allSatisfy { late.values(for: $0).isEmpty })
        net.clock.advance(by: 11)
        first.maintenance()
        net.settle()
        XCTAssertTrue(names.allSatisfy { late.values(for: $0) == [DHTIdentifier.value(of: 0x100)] })
        XCTAssertEqual(late.query(names[3]), Address(0x100))
    }
}
