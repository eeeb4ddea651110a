import DevKit

/// The top-level `register` / `unregister` of `irm` before names got their own
/// group, still typed by older scripts (Rumba: `irm r n NAME ipcp X ipcp Y`).
/// They take `name <n>` as an option and then do what `irm name register` /
/// `irm name unregister` do.
enum LegacyCommands {
    static func usage(_ verb: String, _ layerText: String) -> String {
        usageText(
            "Usage: irm \(verb)",
            "           name <name>",
            "           ipcp <ipcp to register with>",
            "           [ipcp <ipcp to register with>]",
            "           [... (maximum \(NameCommands.maxTargets) ipcps)]",
            "           layer <layer to \(layerText)>",
            "           [layer <layer to \(layerText)>]",
            "           [... (maximum \(NameCommands.maxTargets) layers)]")
    }

    static let registerUsage = usage("register", "register with")
    static let unregisterUsage = usage("unregister", "unregister from")

    static func register(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let (name, layers, ipcps) = targets(tokens, session, hint: "irm register", usage: registerUsage)
        else { return .failure }
        return try NameCommands.register(name, layers: layers, ipcps: ipcps, session)
    }

    static func unregister(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let (name, layers, ipcps) = targets(tokens, session, hint: "irm unregister", usage: unregisterUsage)
        else { return .failure }
        return try NameCommands.unregister(name, layers: layers, ipcps: ipcps, session)
    }

    private static func targets(_ tokens: ArraySlice<String>, _ session: Session, hint: String, usage: String)
        -> (String, [String], [String])? {
        let list = OptionList(tokens, [.value("name"), .value("layer"), .value("ipcp")])
        guard let (layers, ipcps) = NameCommands.checkedTargets(list, session, hint: hint, usage: usage) else {
            return nil
        }
        guard let name = list.value("name") else {
            session.say(usage)
            return nil
        }
        return (name, layers, ipcps)
    }
}
