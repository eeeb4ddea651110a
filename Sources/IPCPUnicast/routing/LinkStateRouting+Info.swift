import DevKit
import IPCPCommon
import IPCPKit

/// The link-state routing's information tree (`irm ipcp info ... lsdb|pff`),
/// named as the reference's RIB where it has one.
extension LinkStateRouting {
    /// `/lsdb`: each neighbour (`.dt <address>`, `.mgmt <address>`) with its
    /// N-1 flow, then each adjacency `<source>--<destination>` with its
    /// sequence number and last update, then the withdrawn adjacencies still
    /// remembered (ours: the reference has no withdrawals).
    public var lsdbInfo: InfoNode {
        let nbs = neighbours.map { nb in
            InfoNode((nb.kind == .dataTransfer ? ".dt " : ".mgmt ") + Address(nb.address).description,
                     "fd \(nb.flow.fd)")
        }
        func entry(_ a: Adjacency, _ suffix: String) -> InfoNode {
            InfoNode("\(Address(a.source))--\(Address(a.destination))\(suffix)", nil, [
                InfoNode("seqno", String(a.seqno)),
                InfoNode("upd", InfoFormat.utc(a.stamp)),
            ])
        }
        let all = nbs + adjacencies.map { entry($0, "") } + withdrawnAdjacencies.map { entry($0, " (withdrawn)") }
        return InfoNode("lsdb", all.isEmpty ? "empty" : nil, all)
    }

    /// `/pff` (ours; the reference has no RIB entry for it): per QoS cube,
    /// each destination's next hops as neighbour address and N-1 flow, the
    /// one in use first.
    public var pffInfo: InfoNode {
        var through: [Flow: Address] = [:]
        for nb in neighbours where nb.kind == .dataTransfer { through[nb.flow] = Address(nb.address) }
        let cubes = QoSCube.allCases.map { cube in
            let entries = forwardingTable(for: cube).entries.sorted { $0.key < $1.key }
            return InfoNode("qos \(cube.rawValue)", entries.isEmpty ? "no routes" : nil, entries.map { destination, hops in
                let via = hops.map { flow in "\(through[flow].map(\.description) ?? "?") (fd \(flow.fd))" }
                return InfoNode(destination.description, "via " + via.joined(separator: ", "))
            })
        }
        return InfoNode("pff", nil, cubes)
    }
}
