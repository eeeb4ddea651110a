import IPCPUnicast
import XCTest

/// The reference's graph test (ipcps.md §8.2): edges added in both
/// directions, source vertex 1.
final class GraphTests: XCTestCase {
    private func link(_ g: inout Graph, _ a: UInt64, _ b: UInt64) {
        g.updateEdge(a, b)
        g.updateEdge(b, a)
    }

    private func unlink(_ g: inout Graph, _ a: UInt64, _ b: UInt64) {
        g.deleteEdge(a, b)
        g.deleteEdge(b, a)
    }

    func testReferenceTopologies() {
        var g = Graph()
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [])

        link(&g, 1, 2)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [RoutingEntry(destination: 2, nextHops: [2])])

        link(&g, 2, 3)
        let two = g.routingTable(from: 1, policy: .simple)
        XCTAssertEqual(two.count, 2)
        XCTAssertEqual(two.map { $0.nextHops }, [[2], [2]])

        unlink(&g, 2, 3)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [RoutingEntry(destination: 2, nextHops: [2])])
        XCTAssertFalse(g.contains(3))

        link(&g, 2, 3)
        link(&g, 1, 3)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple).count, 2)

        link(&g, 3, 4)
        link(&g, 4, 5)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple).count, 4)

        link(&g, 2, 6)
        link(&g, 6, 7)
        link(&g, 3, 7)
        let expected: [UInt64: UInt64] = [2: 2, 3: 3, 4: 3, 5: 3, 6: 2, 7: 3]
        for policy: LinkStateConfig.Policy in [.simple, .loopFreeAlternates, .equalCostMultipath] {
            let table = g.routingTable(from: 1, policy: policy)
            XCTAssertEqual(table.count, 6, "\(policy)")
            for entry in table {
                XCTAssertEqual(entry.nextHops.first, expected[entry.destination], "\(policy) to \(entry.destination)")
            }
        }
    }

    func testHalfAnnouncedEdgeIsNotUsed() {
        var g = Graph()
        g.updateEdge(1, 2)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [])
        g.updateEdge(2, 1)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [RoutingEntry(destination: 2, nextHops: [2])])
        g.deleteEdge(2, 1)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple), [])
        g.deleteEdge(1, 2)
        XCTAssertEqual(g.vertexCount, 0)
    }

    /// The reference's final topology (step 8) from vertex 1: the whole LFA
    /// and ECMP tables. Edges of 1, newest first: 3, 2.
    func testReferenceTopologyAlternatesAndMultipath() {
        var g = Graph()
        link(&g, 1, 2)
        link(&g, 2, 3)
        unlink(&g, 2, 3)
        link(&g, 2, 3)
        link(&g, 1, 3)
        link(&g, 3, 4)
        link(&g, 4, 5)
        link(&g, 2, 6)
        link(&g, 6, 7)
        link(&g, 3, 7)
        // dist(1, ·): 2:1 3:1 4:2 5:3 6:2 7:2; dist(3, ·): 2:1 4:1 5:2 6:2 7:1;
        // dist(2, ·): 3:1 4:2 5:3 6:1 7:2. The primary passes its own test again.
        XCTAssertEqual(g.routingTable(from: 1, policy: .loopFreeAlternates), [
            RoutingEntry(destination: 2, nextHops: [2, 3]),
            RoutingEntry(destination: 3, nextHops: [3, 2]),
            RoutingEntry(destination: 4, nextHops: [3, 3, 2]),
            RoutingEntry(destination: 5, nextHops: [3, 3, 2]),
            RoutingEntry(destination: 6, nextHops: [2, 3, 2]),
            RoutingEntry(destination: 7, nextHops: [3, 3, 2]),
        ])
        XCTAssertEqual(g.routingTable(from: 1, policy: .equalCostMultipath), [
            RoutingEntry(destination: 2, nextHops: [2]),
            RoutingEntry(destination: 3, nextHops: [3]),
            RoutingEntry(destination: 4, nextHops: [3]),
            RoutingEntry(destination: 5, nextHops: [3]),
            RoutingEntry(destination: 6, nextHops: [2]),
            RoutingEntry(destination: 7, nextHops: [3]),
        ])
    }

    /// A square 1-2-4-3-1: two equal paths to 4.
    func testMultipathAndAlternates() {
        var g = Graph()
        link(&g, 1, 2)
        link(&g, 1, 3)
        link(&g, 2, 4)
        link(&g, 3, 4)
        let ecmp = g.routingTable(from: 1, policy: .equalCostMultipath)
        XCTAssertEqual(ecmp.first { $0.destination == 4 }?.nextHops, [3, 2], "in edge order, newest first")
        XCTAssertEqual(ecmp.first { $0.destination == 2 }?.nextHops, [2])
        let simple = g.routingTable(from: 1, policy: .simple)
        XCTAssertEqual(simple.first { $0.destination == 4 }?.nextHops, [2], "ties: lowest address first")
        let lfa = g.routingTable(from: 1, policy: .loopFreeAlternates)
        XCTAssertEqual(lfa.first { $0.destination == 4 }?.nextHops, [2, 3, 2])
        // 3 reaches 2 through 1 or 4 at equal cost: not loop-free.
        XCTAssertEqual(lfa.first { $0.destination == 2 }?.nextHops, [2])
        XCTAssertEqual(lfa.first { $0.destination == 3 }?.nextHops, [3])
    }

    /// A neighbour only this end announced is still tried as an LFA or ECMP
    /// next hop (the reference walks every edge of the source).
    func testHalfAnnouncedNeighbourIsTried() {
        var g = Graph()
        link(&g, 1, 2)
        link(&g, 2, 4)
        link(&g, 3, 4)
        g.updateEdge(1, 3)
        XCTAssertEqual(g.routingTable(from: 1, policy: .simple).first { $0.destination == 4 }?.nextHops, [2])
        // dist(1, 3) = 3 (1-2-4-3), dist(3, 4) = 1: 3 is on a shortest path to 4.
        XCTAssertEqual(g.routingTable(from: 1, policy: .equalCostMultipath).first { $0.destination == 4 }?.nextHops,
                       [3, 2])
        XCTAssertEqual(g.routingTable(from: 1, policy: .loopFreeAlternates).first { $0.destination == 4 }?.nextHops,
                       [2, 3, 2])
    }
}
