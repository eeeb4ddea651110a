import DevKit

/// `irm name ...`: create, destroy, register, unregister and list names.
enum NameCommands {
    static let group = CommandGroup(
        usage: usageText(
            "Usage: irm name [OPERATION]",
            "",
            "where OPERATION in {create destroy",
            "                    register unregister",
            "                    list",
            "                    help}"),
        helpCommand: "irm name help",
        commands: [
            Command(keyword: "create", run: create),
            Command(keyword: "destroy", run: destroy),
            Command(keyword: "register", run: register),
            Command(keyword: "unregister", run: unregister),
            Command(keyword: "list", run: list),
        ])

    static let createUsage = usageText(
        "Usage: irm name create",
        "                <name>. max \(nameSizeLimit) chars.",
        "                [lb LB_POLICY], default: round-robin",
        "                [sencpath <path>, default: <security_dir>/server/<name>/enc.conf]",
        "                [scrtpath <path>, default: <security_dir>/server/<name>/crt.pem]",
        "                [skeypath <path>, default: <security_dir>/server/<name>/key.pem]",
        "                [cencpath <path>, default: <security_dir>/client/<name>/enc.conf]",
        "                [ccrtpath <path>, default: <security_dir>/client/<name>/crt.pem]",
        "                [ckeypath <path>, default: <security_dir>/client/<name>/key.pem]",
        "",
        "where LB_POLICY in {round-robin spillover}")

    static let pathOptions = ["sencpath", "scrtpath", "skeypath", "cencpath", "ccrtpath", "ckeypath"]

    /// Credential paths are canonicalised and must exist. The enc.conf paths
    /// are checked but cannot be sent (`name_info_msg` has no field for them)
    /// [ref-quirk, spec host.md §11.9].
    static func create(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let name = tokens.first else {
            session.say(createUsage)
            return .failure
        }
        guard let options = session.options(tokens.dropFirst(), [.value("lb")] + pathOptions.map(OptionSpec.value),
                                            hint: "irm name create", usage: createUsage)
        else { return .failure }
        guard name.utf8.count <= nameSizeLimit else {
            session.say("Name too long.\n" + createUsage)
            return .failure
        }
        var paths: [String: String] = [:]
        for option in pathOptions {
            guard let path = options.value(option) else { continue }
            let canonical: String
            do throws(OuroError) {
                canonical = try session.environment.realPath(path)
            } catch {
                session.say("Failed to check path \(path): \(error).\n" + createUsage)
                return .failure
            }
            guard canonical.utf8.count <= namePathSizeLimit else {
                session.say("File path too long: \(canonical).\n" + createUsage)
                return .failure
            }
            paths[option] = canonical
        }
        let policies: [String: LoadBalance] = ["round-robin": .roundRobin, "spillover": .spillover]
        guard let policy = policies[options.value("lb") ?? "round-robin"] else {
            session.say(createUsage)
            return .failure
        }
        var info = nameInfo(name, policy: policy)
        info.skey = paths["skeypath"] ?? ""
        info.scrt = paths["scrtpath"] ?? ""
        info.ckey = paths["ckeypath"] ?? ""
        info.ccrt = paths["ccrtpath"] ?? ""
        try session.client.createName(info)
        return .success
    }

    static let destroyUsage = usageText("Usage: irm name destroy <name>")

    static func destroy(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let name = tokens.first else {
            session.say(destroyUsage)
            return .failure
        }
        if let extra = tokens.dropFirst().first {
            session.say("\"\(extra)\" is unknown, try \"irm name destroy\".\n")
            return .failure
        }
        try session.client.destroyName(name)
        return .success
    }

    /// The most layers and IPCPs one command may name.
    static let maxTargets = 128

    static func targetsUsage(_ verb: String, _ layerText: String) -> String {
        usageText(
            "Usage: irm name \(verb) <name>",
            "           ipcp <ipcp to register with>",
            "           [ipcp <ipcp to register with>]",
            "           [... (maximum \(maxTargets) ipcps)]",
            "           layer <layer to \(layerText)>",
            "           [layer <layer to \(layerText)>]",
            "           [... (maximum \(maxTargets) layers)]")
    }

    static let registerUsage = targetsUsage("register", "register with")
    static let unregisterUsage = targetsUsage("unregister", "unregister from")

    static func register(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let (name, layers, ipcps) = targets(tokens, session, hint: "irm name register", usage: registerUsage)
        else { return .failure }
        return try register(name, layers: layers, ipcps: ipcps, session)
    }

    static func unregister(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let (name, layers, ipcps) = targets(tokens, session, hint: "irm name unregister", usage: unregisterUsage)
        else { return .failure }
        return try unregister(name, layers: layers, ipcps: ipcps, session)
    }

    /// `<name> (layer <l> | ipcp <i>)...`; nil after printing why not.
    private static func targets(_ tokens: ArraySlice<String>, _ session: Session, hint: String, usage: String)
        -> (String, [String], [String])? {
        guard let name = tokens.first else {
            session.say(usage)
            return nil
        }
        let list = OptionList(tokens.dropFirst(), [.value("layer"), .value("ipcp")])
        guard let (layers, ipcps) = checkedTargets(list, session, hint: hint, usage: usage) else { return nil }
        return (name, layers, ipcps)
    }

    /// The `layer` and `ipcp` values of `list`: at least one, at most
    /// `maxTargets` of each.
    static func checkedTargets(_ list: OptionList, _ session: Session, hint: String, usage: String)
        -> ([String], [String])? {
        let layers = list.values("layer")
        let ipcps = list.values("ipcp")
        if layers.count > maxTargets {
            session.say("Too many layers specified.\n")
            return nil
        }
        if ipcps.count > maxTargets {
            session.say("Too many IPCPs specified.\n")
            return nil
        }
        guard session.accept(list, hint: hint, usage: usage) else { return nil }
        guard !layers.isEmpty || !ipcps.isEmpty else {
            session.say(usage)
            return nil
        }
        return (layers, ipcps)
    }

    /// Creates the name (spillover) unless the IRMd lists it, then registers it
    /// with every IPCP whose layer matches a layer pattern and with every IPCP
    /// whose name matches an IPCP pattern — once per matching pattern.
    static func register(_ name: String, layers: [String], ipcps patterns: [String],
                         _ session: Session) throws(OuroError) -> Outcome {
        guard name.utf8.count <= nameSizeLimit else {
            session.say("Name too long.\n" + registerUsage)
            return .failure
        }
        let ipcps: [ipcp_list_msg]
        do throws(OuroError) {
            ipcps = try session.client.listIPCPs()
        } catch {
            session.say("Failed to list IPCPs.\n")
            throw error
        }
        guard !ipcps.isEmpty else {
            session.say("Failed to list IPCPs.\n")
            return .failure
        }
        let names: [name_info_msg]
        do throws(OuroError) {
            names = try session.client.listNames()
        } catch {
            session.say("Failed to list names.\n")
            throw error
        }
        if !names.contains(where: { $0.name == name }) {
            do throws(OuroError) {
                try session.client.createName(nameInfo(name, policy: .spillover))
            } catch {
                session.say("Error creating name.\n")
                throw error
            }
        }
        for ipcp in ipcps {
            let targets = layers.filter { wildcardMatches(pattern: $0, ipcp.layer) }.map { _ in ipcp.layer }
                + patterns.filter { wildcardMatches(pattern: $0, ipcp.name) }.map { _ in ipcp.name }
            for target in targets {
                do throws(OuroError) {
                    try session.client.registerName(name, pid: ipcp.processID)
                } catch {
                    session.say("Failed to register with \(target).\n")
                    throw error
                }
            }
        }
        return .success
    }

    /// Unregisters from every IPCP in a listed layer and every listed IPCP, at
    /// most once per list. Here the IPCP's layer or name is the pattern and
    /// the argument the text, as in the reference.
    static func unregister(_ name: String, layers: [String], ipcps patterns: [String],
                           _ session: Session) throws(OuroError) -> Outcome {
        for ipcp in try session.client.listIPCPs() {
            if layers.contains(where: { wildcardMatches(pattern: ipcp.layer, $0) }) {
                try session.client.unregisterName(name, pid: ipcp.processID)
            }
            if patterns.contains(where: { wildcardMatches(pattern: ipcp.name, $0) }) {
                try session.client.unregisterName(name, pid: ipcp.processID)
            }
        }
        return .success
    }

    static let listUsage = usageText("Usage: irm name list [list <name>]")

    /// With `list <s>`, only names that are a prefix of `<s>` are shown.
    static func list(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("list")], hint: "irm name list", usage: listUsage)
        else { return .failure }
        session.say(nameTable(try session.client.listNames(), filter: options.value("list")))
        return .success
    }
}
