/// The network graph built from the LSDB (ipcps.md §6.9.6). Every adjacency
/// (s, d) counts once on the edge s→d and once on d→s; an edge carries traffic
/// only when both routers announced it (count 2). Weights are hop counts.
public struct Graph: Sendable {
    struct Edge: Sendable {
        let to: UInt64
        var announced: Int
    }

    /// Edges per vertex, newest first (that order breaks ties in ECMP and LFA).
    private(set) var vertices: [UInt64: [Edge]] = [:]

    public init() {}

    public var vertexCount: Int { vertices.count }

    public func contains(_ vertex: UInt64) -> Bool { vertices[vertex] != nil }

    /// Counts the adjacency (s, d) on both directed edges between s and d.
    public mutating func updateEdge(_ s: UInt64, _ d: UInt64) {
        bump(s, d, by: 1)
        bump(d, s, by: 1)
    }

    /// Uncounts the adjacency (s, d); edges reaching 0 and vertices left
    /// without edges disappear.
    public mutating func deleteEdge(_ s: UInt64, _ d: UInt64) {
        bump(s, d, by: -1)
        bump(d, s, by: -1)
    }

    private mutating func bump(_ from: UInt64, _ to: UInt64, by delta: Int) {
        var edges = vertices[from] ?? []
        if let i = edges.firstIndex(where: { $0.to == to }) {
            edges[i].announced += delta
            if edges[i].announced <= 0 { edges.remove(at: i) }
        } else if delta > 0 {
            edges.insert(Edge(to: to, announced: delta), at: 0)
        }
        vertices[from] = edges.isEmpty ? nil : edges
    }

    /// Neighbours reachable over edges both ends announced, newest edge first.
    func usableNeighbours(of vertex: UInt64) -> [UInt64] {
        (vertices[vertex] ?? []).filter { $0.announced >= 2 }.map(\.to)
    }

    /// Every neighbour with an edge from `vertex`, announced by one end or
    /// both, newest edge first (LFA and ECMP consider them all).
    func neighbours(of vertex: UInt64) -> [UInt64] {
        (vertices[vertex] ?? []).map(\.to)
    }
}
