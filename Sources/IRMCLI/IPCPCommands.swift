import DevKit

/// `irm ipcp ...` (spec host.md §8.2).
enum IPCPCommands {
    static let group = CommandGroup(
        usage: usageText(
            "Usage: irm ipcp [OPERATION]",
            "",
            "where OPERATION in {create destroy",
            "                    bootstrap enroll",
            "                    connect disconnect",
            "                    list info",
            "                    help}"),
        helpCommand: "irm ipcp help",
        commands: [
            Command(keyword: "create", run: create),
            Command(keyword: "destroy", run: destroy),
            Command(keyword: "bootstrap", run: IPCPBootstrap.run),
            Command(keyword: "enroll", run: IPCPEnroll.run),
            Command(keyword: "connect", run: IPCPConnect.connect),
            Command(keyword: "disconnect", run: IPCPConnect.disconnect),
            Command(keyword: "list", run: list),
            Command(keyword: "info", run: IPCPInfo.run),
        ])

    static let typeList = "{unicast broadcast local udp4 udp6 eth-llc eth-dix}"

    static let createUsage = usageText(
        "Usage: irm ipcp create",
        "                name <ipcp name>",
        "                type [TYPE]",
        "",
        "where TYPE in \(typeList)")

    static func create(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("type"), .value("name")],
                                            hint: "irm ipcp create", usage: createUsage)
        else { return .failure }
        guard let typeName = options.value("type"), let name = options.value("name") else {
            session.say(createUsage)
            return .failure
        }
        guard let type = IPCPTypeName.exact(typeName) else {
            session.say("IPCP type \"\(typeName)\" is unknown.\n" + createUsage)
            return .failure
        }
        try session.client.createIPCP(name: name, type: type)
        return .success
    }

    static let destroyUsage = usageText(
        "Usage: irm ipcp destroy",
        "                name <ipcp name>")

    /// Destroys the first IPCP with exactly that name; an unknown name is not
    /// an error unless there are no IPCPs at all.
    static func destroy(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("name")],
                                            hint: "irm ipcp destroy", usage: destroyUsage)
        else { return .failure }
        guard let name = options.value("name") else {
            session.say(destroyUsage)
            return .failure
        }
        let ipcps = try session.client.listIPCPs()
        guard !ipcps.isEmpty else { return .failure }
        if let ipcp = ipcps.first(where: { $0.name == name }) {
            try session.client.destroyIPCP(pid: ipcp.processID)
        }
        return .success
    }

    static let listUsage = usageText(
        "Usage: irm ipcp list",
        "                [name  <ipcp name>]",
        "                [layer <layer_name>]",
        "",
        "                [type [TYPE]]",
        "",
        "where TYPE = {unicast local udp4 udp6 eth-llc eth-dix}")

    /// Lists the IPCPs that pass every filter given: the exact type, and the
    /// name and layer as patterns (`*` matches any run).
    static func list(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("type"), .value("name"), .value("layer")],
                                            hint: "irm ipcp list", usage: listUsage)
        else { return .failure }
        var type: IPCPType?
        if let typeName = options.value("type") {
            guard let t = IPCPTypeName.exact(typeName) else {
                session.say(listUsage)
                return .failure
            }
            type = t
        }
        let name = options.value("name"), layer = options.value("layer")
        session.say(ipcpTable(try session.client.listIPCPs()) { ipcp in
            type.map { $0.rawValue == ipcp.type } ?? true
                && name.map { wildcardMatches(pattern: $0, ipcp.name) } ?? true
                && layer.map { wildcardMatches(pattern: $0, ipcp.layer) } ?? true
        })
        return .success
    }
}

/// IPCP type spellings on the command line.
enum IPCPTypeName {
    /// Names older scripts use: `normal` (the unicast IPCP before its rename)
    /// and `udp` (before udp6 existed).
    static let legacy: [String: IPCPType] = ["normal": .unicast, "udp": .udp4]

    /// The type spelled exactly `name`.
    static func exact(_ name: String) -> IPCPType? {
        IPCPType(name: name) ?? legacy[name]
    }

    /// Bootstrap's matching: `name` may abbreviate a type, tried in this order
    /// (so `udp` is udp4 and `eth` eth-dix); `normal` last.
    static func abbreviated(_ name: String) -> IPCPType? {
        let order: [(String, IPCPType)] = [
            ("unicast", .unicast), ("broadcast", .broadcast), ("udp4", .udp4), ("udp6", .udp6),
            ("eth-dix", .ethDIX), ("eth-llc", .ethLLC), ("local", .local), ("normal", .unicast),
        ]
        return order.first { selects(name, $0.0) }?.1
    }
}
