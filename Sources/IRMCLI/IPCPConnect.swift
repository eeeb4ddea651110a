import DevKit

/// `irm ipcp connect` and `irm ipcp disconnect`: (dis)connect the management
/// and/or data-transfer component of an IPCP to a peer IPCP.
enum IPCPConnect {
    /// The IPCP component names on the wire.
    static let management = "Management"
    static let dataTransfer = "Data Transfer"

    static let connectUsage = usageText(
        "Usage: irm ipcp connect",
        "                name      <ipcp name>",
        "                dst       <name of destination IPCP>",
        "                [component [COMPONENT]]",
        "where COMPONENT in {dt mgmt}",
        "",
        "if COMPONENT == dt",
        "                [qos       [QOS]",
        "where QOS in {raw, best, voice, video, data}")

    static let disconnectUsage = usageText(
        "Usage: irm ipcp disconnect",
        "                name      <ipcp name>",
        "                dst       <name of destination IPCP>",
        "                [component [COMPONENT]]",
        "",
        "where COMPONENT in {dt mgmt}")

    static let qosCubes: [String: QoSSpec] = [
        "best": .bestEffort, "raw": .raw, "video": .video, "voice": .voice, "data": .data,
    ]

    /// Management first (always with raw QoS), then data transfer with the
    /// chosen QoS. `component` is a pattern, `*` (both) by default.
    static func connect(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let specs: [OptionSpec] = [.value("name"), .value("dst"), .value("component"), .value("qos")]
        guard let options = session.options(tokens, specs, hint: "irm ipcp connect", usage: connectUsage)
        else { return .failure }
        guard let name = options.value("name"), let dst = options.value("dst") else {
            session.say(connectUsage)
            return .failure
        }
        let component = options.value("component") ?? "*"
        var qos = QoSSpec.raw
        if let cube = options.value("qos") {
            if let spec = qosCubes[cube] {
                qos = spec
            } else {
                session.say("Unknown QoS cube, defaulting to raw.\n")
            }
        }
        guard let pid = try lastIPCP(named: name, session) else { return .failure }
        if wildcardMatches(pattern: component, "mgmt") {
            try session.client.connectIPCP(pid: pid, dst: dst, component: management, qos: .raw)
        }
        if wildcardMatches(pattern: component, "dt") {
            try session.client.connectIPCP(pid: pid, dst: dst, component: dataTransfer, qos: qos)
        }
        return .success
    }

    /// Data transfer first, then management.
    static func disconnect(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let specs: [OptionSpec] = [.value("name"), .value("dst"), .value("component")]
        guard let options = session.options(tokens, specs, hint: "irm ipcp disconnect", usage: disconnectUsage)
        else { return .failure }
        guard let name = options.value("name"), let dst = options.value("dst") else {
            session.say(disconnectUsage)
            return .failure
        }
        let component = options.value("component") ?? "*"
        guard let pid = try lastIPCP(named: name, session) else { return .failure }
        if wildcardMatches(pattern: component, "dt") {
            try session.client.disconnectIPCP(pid: pid, dst: dst, component: dataTransfer)
        }
        if wildcardMatches(pattern: component, "mgmt") {
            try session.client.disconnectIPCP(pid: pid, dst: dst, component: management)
        }
        return .success
    }

    /// The pid of the last listed IPCP named exactly `name`.
    private static func lastIPCP(named name: String, _ session: Session) throws(OuroError) -> Int32? {
        try session.client.listIPCPs().last { $0.name == name }?.processID
    }
}
