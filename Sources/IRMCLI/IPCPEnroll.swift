import DevKit

/// `irm ipcp enroll`: enroll (creating it first if needed) every IPCP of the
/// type whose name matches, with `dst` (default: the layer name).
enum IPCPEnroll {
    static let usage = usageText(
        "Usage: irm ipcp enroll",
        "                name <ipcp name>",
        "                [layer <layer to enroll with>]",
        "                [dst <destination to enroll with>]",
        "                [type [TYPE], default = unicast]",
        "                [autobind]",
        "where TYPE in {unicast broadcast}")

    static func run(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let specs: [OptionSpec] = [.value("name"), .value("type"), .value("layer"), .value("dst"), .flag("autobind")]
        guard let options = session.options(tokens, specs, hint: "irm ipcp enroll", usage: usage)
        else { return .failure }
        let layer = options.value("layer")
        guard let name = options.value("name"), let dst = options.value("dst") ?? layer else {
            session.say(usage)
            return .failure
        }
        // The reference sends an unknown type on as IPCP_INVALID and lets the
        // IRMd refuse it; only unicast and broadcast IPCPs enroll.
        guard let type = IPCPTypeName.exact(options.value("type") ?? "unicast"),
              type == .unicast || type == .broadcast else {
            session.say(usage)
            return .failure
        }
        func candidates(_ ipcps: [ipcp_list_msg]) -> [ipcp_list_msg] {
            ipcps.filter { $0.type == type.rawValue && wildcardMatches(pattern: $0.name, name) }
        }
        var ipcps = try session.client.listIPCPs()
        if candidates(ipcps).isEmpty {
            try session.client.createIPCP(name: name, type: type)
            ipcps = try session.client.listIPCPs()
        }
        for ipcp in candidates(ipcps) {
            let pid = ipcp.processID
            do throws(OuroError) {
                try session.client.enrollIPCP(pid: pid, dst: dst)
            } catch {
                session.say("Failed to enroll IPCP.\n")
                throw error
            }
            guard let enrolled = try session.client.listIPCPs().first(where: { $0.name == ipcp.name })?.layer else {
                session.say("Could not get layer name.\n")
                return .failure
            }
            if let layer, enrolled != layer {
                session.say("Enrollment destination does not match requested layer.\n")
                return .failure
            }
            if options.has("autobind") {
                for bound in [name, enrolled] {
                    do throws(OuroError) {
                        try session.client.bindProcess(pid: pid, name: bound)
                    } catch {
                        session.say("Failed to bind \(pid) to \(bound).\n")
                        throw error
                    }
                }
            }
        }
        return .success
    }
}
