/// Which N-1 connection a neighbour is known through.
public enum NeighbourKind: Sendable {
    /// Data Transfer: carries DT packets, provides next hops.
    case dataTransfer
    /// Management: carries LSAs.
    case management
}

/// The neighbour list (ipcps.md §6.9.3): (address, fd, kind), by descending
/// address. A second entry for the same (address, kind) only updates the fd.
struct Neighbours: Sendable {
    struct Entry: Sendable, Equatable {
        let address: UInt64
        var fd: Int32
        let kind: NeighbourKind
    }

    private(set) var entries: [Entry] = []

    mutating func add(address: UInt64, fd: Int32, kind: NeighbourKind) {
        if let i = entries.firstIndex(where: { $0.address == address && $0.kind == kind }) {
            entries[i].fd = fd
            return
        }
        let i = entries.firstIndex { $0.address < address } ?? entries.endIndex
        entries.insert(Entry(address: address, fd: fd, kind: kind), at: i)
    }

    mutating func remove(address: UInt64, fd: Int32) {
        entries.removeAll { $0.address == address && $0.fd == fd }
    }

    /// The fd of the first DT neighbour with `address`.
    func dataTransferFD(of address: UInt64) -> Int32? {
        entries.first { $0.address == address && $0.kind == .dataTransfer }?.fd
    }

    /// The fds of every management neighbour except `excluded`.
    func managementFDs(except excluded: Int32? = nil) -> [Int32] {
        entries.filter { $0.kind == .management && $0.fd != excluded }.map(\.fd)
    }
}
