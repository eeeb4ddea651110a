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

    /// A neighbour N is an alternate for D when its own shortest path to D does
    /// not lead back through the source: dist(N, D) < dist(N, src) + dist(src, D).
    /// (Unlike the reference, the primary is not listed again as an alternate.)
    private func loopFreeAlternates(_ source: UInt64, _ paths: ShortestPaths,
                                    _ simple: [RoutingEntry]) -> [RoutingEntry] {
        var table = simple
        for neighbour in usableNeighbours(of: source) {
            let fromNeighbour = shortestPaths(from: neighbour)
            let back = fromNeighbour.hops(to: source)
            for i in table.indices {
                let d = table[i].destination
                guard d != neighbour, !table[i].nextHops.contains(neighbour) else { continue }
                if fromNeighbour.hops(to: d) < ShortestPaths.sum(back, paths.hops(to: d)) {
                    table[i].nextHops.append(neighbour)
                }
            }
        }
        return table
    }

    /// Every neighbour on some shortest path: dist(N, D) + 1 == dist(src, D).
    private func equalCostMultipath(_ source: UInt64, _ paths: ShortestPaths,
                                    _ simple: [RoutingEntry]) -> [RoutingEntry] {
        var table = simple.map { RoutingEntry(destination: $0.destination, nextHops: []) }
        for neighbour in usableNeighbours(of: source) {
            let fromNeighbour = shortestPaths(from: neighbour)
            for i in table.indices
            where ShortestPaths.sum(fromNeighbour.hops(to: table[i].destination), 1) == paths.hops(to: table[i].destination) {
                table[i].nextHops.append(neighbour)
            }
        }
        return table.filter { !$0.nextHops.isEmpty }
    }
}
