import DevKit

/// Which N-1 connection a neighbour is known through.
public enum NeighbourKind: Sendable {
    /// Data Transfer: carries DT packets, provides next hops.
    case dataTransfer
    /// Management: carries LSAs.
    case management
}

/// The neighbour list (ipcps.md §6.9.3): (address, flow, kind), by descending
/// address. A second entry for the same (address, kind) only updates the flow.
struct Neighbours: Sendable {
    struct Entry: Sendable, Equatable {
        let address: UInt64
        var flow: Flow
        let kind: NeighbourKind
    }

    private(set) var entries: [Entry] = []

    mutating func add(address: UInt64, flow: Flow, kind: NeighbourKind) {
        if let i = entries.firstIndex(where: { $0.address == address && $0.kind == kind }) {
            entries[i].flow = flow
            return
        }
        let i = entries.firstIndex { $0.address < address } ?? entries.endIndex
        entries.insert(Entry(address: address, flow: flow, kind: kind), at: i)
    }

    mutating func remove(address: UInt64, flow: Flow) {
        entries.removeAll { $0.address == address && $0.flow == flow }
    }

    /// The flow of the first DT neighbour with `address`.
    func dataTransferFlow(of address: UInt64) -> Flow? {
        entries.first { $0.address == address && $0.kind == .dataTransfer }?.flow
    }

    /// The address of the DT neighbour on `flow`.
    func dataTransferAddress(of flow: Flow) -> UInt64? {
        entries.first { $0.flow == flow && $0.kind == .dataTransfer }?.address
    }

    /// The flows of every management neighbour except `excluded`.
    func managementFlows(except excluded: Flow? = nil) -> [Flow] {
        entries.filter { $0.kind == .management && $0.flow != excluded }.map(\.flow)
    }
}
