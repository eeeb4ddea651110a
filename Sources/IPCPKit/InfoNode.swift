/// One node of an IPCP's information tree (`irm ipcp info`): a name, an
/// optional value and children. Top-level nodes are named like the
/// reference's RIB paths (`lsdb`, `dt.<address>`, `dht`, ...).
public struct InfoNode: Sendable, Equatable {
    public var name: String
    public var value: String?
    public var children: [InfoNode]

    public init(_ name: String, _ value: String? = nil, _ children: [InfoNode] = []) {
        self.name = name
        self.value = value
        self.children = children
    }

    /// The tree as text: the node's path `/name` on the first line, each
    /// child below its parent indented by two more spaces, as `name` or
    /// `name: value`.
    public func rendered() -> String {
        var out = "/" + name + (value.map { ": " + $0 } ?? "") + "\n"
        for child in children { child.render(into: &out, depth: 1) }
        return out
    }

    private func render(into out: inout String, depth: Int) {
        out += String(repeating: "  ", count: depth) + name + (value.map { ": " + $0 } ?? "") + "\n"
        for child in children { child.render(into: &out, depth: depth + 1) }
    }

    /// `text` cut after its last whole line that fits in `maxBytes` UTF-8
    /// bytes together with a closing `... (truncated)` line.
    public static func truncated(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let marker = "... (truncated)\n"
        var kept = ""
        var used = marker.utf8.count
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let size = line.utf8.count + 1
            guard used + size <= maxBytes else { break }
            kept += line + "\n"
            used += size
        }
        return kept + marker
    }
}
