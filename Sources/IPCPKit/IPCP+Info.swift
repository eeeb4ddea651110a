import DevKit

/// IPCP_INFO (our extension, `irm ipcp info`): one section of the IPCP's
/// information tree, rendered as text that fits one control message.
extension IPCP {
    /// The longest rendered section: a control message, less room for the
    /// envelope irmd puts around it.
    public static let maxInfoBytes = UnixSocket.maxMessageSize - 256

    /// The rendered section named in the request's `comp`; `.invalid` for an
    /// unknown name, `.notSupported` when this IPCP keeps no such state.
    func info(_ request: ipcp_msg) throws(OuroError) -> String {
        guard let section = InfoSection(rawValue: request.comp) else {
            log.error("Unknown information section \(request.comp).")
            throw OuroError.invalid
        }
        return InfoNode.truncated(try infoTree(section).rendered(), maxBytes: IPCP.maxInfoBytes)
    }

    /// The tree of `section`: the skeleton's own for `.info`, else the type's,
    /// with the skeleton's flow table standing in for `.flows`.
    public func infoTree(_ section: InfoSection) throws(OuroError) -> InfoNode {
        if section == .info { return summary }
        do throws(OuroError) {
            guard let ops = operations else { throw OuroError.notSupported }
            return try ops.info(section)
        } catch {
            guard error == .notSupported, section == .flows else { throw error }
            return flowList
        }
    }

    /// `/info`: the reference's `_state`, `_type` and `_layer` entries.
    private var summary: InfoNode {
        let (state, layer) = core.withLock { ($0.state, $0.layer) }
        return InfoNode("info", nil, [
            InfoNode("_name", name),
            InfoNode("_type", type.name),
            InfoNode("_state", state.logName),
            InfoNode("_layer", layer?.name ?? "(null)"),
        ])
    }

    /// `/flows`: the N+1 flows of the flow table.
    private var flowList: InfoNode {
        InfoNode("flows", flows.count == 0 ? "none" : nil, flows.all.map { f in
            var entries = [InfoNode("pid", String(f.pid))]
            if let peer = f.peer { entries.append(InfoNode("peer", String(peer))) }
            entries.append(InfoNode("data path", f.flow.map { "fd \($0.fd)" } ?? "not mapped"))
            return InfoNode(String(f.flowID), nil, entries)
        })
    }
}
