import DevKit
import IPCPCommon
import IPCPUnicast
import XCTest

/// Routing with the LFA and ECMP policies on a ring A—B—C—D—A, LSAs
/// exchanged in process.
final class FailoverRoutingTests: XCTestCase {
    private func ring(_ policy: LinkStateConfig.Policy) -> (RouterNetwork, ab: Int32, ad: Int32) {
        let (net, links) = RouterNetwork.ring([0xA, 0xB, 0xC, 0xD], config: LinkStateConfig(policy: policy))
        return (net, links[0].0, links[3].1)
    }

    /// A's primary towards C is B (lower address); when A's DT flow to B goes
    /// down, the table switches to D at once, before any LSA arrives
    /// anywhere, and back when it comes up.
    func testLoopFreeAlternateTakesOverWhenTheFlowGoesDown() {
        let (net, ab, ad) = ring(.loopFreeAlternates)
        XCTAssertEqual(net.path(from: 0xA, to: 0xC), [0xA, 0xB, 0xC])
        net.router(0xA).flowStateChanged(Flow(fd: ab), up: false)
        for cube in QoSCube.allCases {
            XCTAssertEqual(net.router(0xA).forwardingTable(for: cube).nextHop(Address(0xC)), Flow(fd: ad))
        }
        XCTAssertEqual(net.path(from: 0xA, to: 0xC), [0xA, 0xD, 0xC])
        // B itself has no loop-free alternate, but A withdrew its adjacency to
        // B and recomputed: B is now reached around the ring.
        XCTAssertEqual(net.router(0xA).forwardingTable(for: .bestEffort).nextHop(Address(0xB)), Flow(fd: ad))
        net.router(0xA).flowStateChanged(Flow(fd: ab), up: true)
        XCTAssertEqual(net.path(from: 0xA, to: 0xC), [0xA, 0xB, 0xC])
    }

    /// With simple routing a flow going down withdraws the adjacency: A
    /// routes around it at once (the reference keeps using the cut link).
    func testSimpleTableRoutesAroundAFlowDown() {
        let (net, ab, ad) = ring(.simple)
        net.router(0xA).flowStateChanged(Flow(fd: ab), up: false)
        XCTAssertEqual(net.router(0xA).forwardingTable(for: .bestEffort).nextHop(Address(0xC)), Flow(fd: ad))
        XCTAssertEqual(net.path(from: 0xA, to: 0xC), [0xA, 0xD, 0xC])
    }

    /// ECMP spreads A's packets to C over B and D in turn.
    func testMultipathAlternatesEqualPaths() {
        let (net, ab, ad) = ring(.equalCostMultipath)
        XCTAssertEqual(net.router(0xA).routingTable.first { $0.destination == 0xC }?.nextHops.sorted(), [0xB, 0xD])
        let table = net.router(0xA).forwardingTable(for: .bestEffort)
        let hops = (0..<4).compactMap { _ in table.nextHop(Address(0xC))?.fd }
        XCTAssertEqual(Set(hops), [ab, ad])
        XCTAssertEqual(hops[0], hops[2])
        XCTAssertNotEqual(hops[0], hops[1])
    }
}
