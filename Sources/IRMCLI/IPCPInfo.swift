import DevKit

/// `irm ipcp info` (our extension): prints an IPCP's information tree, one
/// section per request relayed by the IRMd (IRM_IPCP_INFO).
enum IPCPInfo {
    /// The sections a user may name, in the order they print.
    static let sections = ["lsdb", "pff", "dht", "flows", "dt"]

    static let usage = usageText(
        "Usage: irm ipcp info",
        "                name <ipcp name>",
        "                [SECTION]",
        "",
        "where SECTION in {lsdb pff dht flows dt}, default: all")

    static func run(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let specs = [OptionSpec.value("name")] + sections.map { OptionSpec.flag($0) }
        guard let options = session.options(tokens, specs, hint: "irm ipcp info", usage: usage)
        else { return .failure }
        guard let name = options.value("name") else {
            session.say(usage)
            return .failure
        }
        guard let pid = try session.client.listIPCPs().last(where: { $0.name == name })?.processID else {
            session.say("No IPCP named \(name).\n")
            return .failure
        }
        let chosen = sections.filter { options.has($0) }
        // Everything: the summary first, then whatever this IPCP type keeps.
        let requested = chosen.isEmpty ? ["info"] + sections : chosen
        var outcome = Outcome.success
        for section in requested {
            do throws(OuroError) {
                session.say(try session.client.ipcpInfo(pid: pid, section: section))
            } catch {
                if error == .irmd { throw error }
                let absent = error == .notSupported || error == .ipcpState
                if absent && chosen.isEmpty { continue }
                session.say(message(for: error, section: section, ipcp: name))
                outcome = .failure
            }
        }
        return outcome
    }

    /// Why `section` of IPCP `ipcp` could not be read.
    static func message(for error: OuroError, section: String, ipcp: String) -> String {
        switch error {
        case .notSupported: return "/\(section): not supported by IPCP \(ipcp).\n"
        case .ipcpState: return "/\(section): IPCP \(ipcp) is not operational.\n"
        default: return "/\(section): failed to read from IPCP \(ipcp) (\(error)).\n"
        }
    }
}
