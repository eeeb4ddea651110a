/// One routing-table entry: the next hops (router addresses) towards a
/// destination, the preferred one first.
public struct RoutingEntry: Sendable, Equatable {
    public let destination: UInt64
    public var nextHops: [UInt64]

    public init(destination: UInt64, nextHops: [UInt64]) {
        self.destination = destination
        self.nextHops = nextHops
    }
}

/// Shortest paths over a `Graph` (ipcps.md §6.9.7).
extension Graph {
    struct ShortestPaths {
        /// Hop counts of the reachable vertices.
        var distance: [UInt64: Int] = [:]
        /// First hop from the source towards each reachable vertex but the source.
        var firstHop: [UInt64: UInt64] = [:]

        func hops(to vertex: UInt64) -> Int { distance[vertex] ?? Int.max }

        /// Hop counts added, unreachable (Int.max) staying unreachable.
        static func sum(_ a: Int, _ b: Int) -> Int {
            let (s, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max : s
        }
    }

    /// Dijkstra from `source` over usable edges: among unvisited vertices at
    /// equal distance the lowest address goes first; only strictly shorter
    /// paths replace a known one.
    func shortestPaths(from source: UInt64) -> ShortestPaths {
        var paths = ShortestPaths()
        guard contains(source) else { return paths }
        paths.distance[source] = 0
        var visited: Set<UInt64> = []
        while let u = paths.distance.filter({ !visited.contains($0.key) })
            .min(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key {
            visited.insert(u)
            let alt = paths.hops(to: u) + 1
            for v in usableNeighbours(of: u) where alt < paths.hops(to: v) {
                paths.distance[v] = alt
                paths.firstHop[v] = u == source ? v : paths.firstHop[u]
            }
        }
        return paths
    }

    /// The routing table of `source` under `policy`, ordered by destination.
    public func routingTable(from source: UInt64, policy: LinkStateConfig.Policy) -> [RoutingEntry] {
        guard vertexCount >= 2 else { return [] }
        let paths = shortestPaths(from: source)
        let simple = paths.firstHop.keys.sorted().map {
            RoutingEntry(destination: $0, nextHops: [paths.firstHop[$0]!])
        }
        switch policy {
        case .simple:
            return simple
        case .loopFreeAlternates:
            return loopFreeAlternates(source, paths, simple)
        case .equalCostMultipath:
            return equalCostMultipath(source, paths, simple)
        }
    }

    /// LFA: after the primary, every neighbour N of the source (by any edge,
    /// newest first) whose shortest path to D does not come back through the
    /// source: dist(N, D) < dist(src, N) + dist(src, D), all three finite,
    /// N ≠ D. As in the reference the primary passes this test too and is
    /// listed again; the alternate table skips it while it is down.
    private func loopFreeAlternates(_ source: UInt64, _ paths: ShortestPaths,
                                    _ simple: [RoutingEntry]) -> [RoutingEntry] {
        var table = simple
        for neighbour in neighbours(of: source) {
            let fromNeighbour = shortestPaths(from: neighbour)
            let toNeighbour = paths.hops(to: neighbour)
            for i in table.indices where table[i].destination != neighbour {
                let d = table[i].destination
                let viaSource = ShortestPaths.sum(toNeighbour, paths.hops(to: d))
                if viaSource != Int.max, fromNeighbour.hops(to: d) < viaSource {
                    table[i].nextHops.append(neighbour)
                }
            }
        }
        return table
    }

    /// ECMP: every neighbour N of the source (by any edge, in edge order) on a
    /// shortest path to D: dist(N, D) + 1 == dist(src, D). Destinations
    /// without such a neighbour are left out.
    private func equalCostMultipath(_ source: UInt64, _ paths: ShortestPaths,
                                    _ simple: [RoutingEntry]) -> [RoutingEntry] {
        var table = simple.map { RoutingEntry(destination: $0.destination, nextHops: []) }
        for neighbour in neighbours(of: source) {
            let fromNeighbour = shortestPaths(from: neighbour)
            for i in table.indices {
                let d = table[i].destination
                if fromNeighbour.hops(to: d) != Int.max, fromNeighbour.hops(to: d) + 1 == paths.hops(to: d) {
                    table[i].nextHops.append(neighbour)
                }
            }
        }
        return table.filter { !$0.nextHops.isEmpty }
    }
}
