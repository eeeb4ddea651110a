import DevKit

/// `irm bind ...` and `irm unbind ...`: (un)bind programs, processes and
/// IPCPs to names. The handlers get the sub-command token too and read it as
/// the key of the first value (`program <path>`, `process <pid>`, `ipcp <name>`).
enum BindCommands {
    static let bind = CommandGroup(
        usage: usageText("Usage: irm bind [OPERATION]", "", "where OPERATION in {program process ipcp help}"),
        helpCommand: "irm bind help",
        passesKeyword: true,
        commands: [
            Command(keyword: "program", run: bindProgram),
            Command(keyword: "process", run: bindProcess),
            Command(keyword: "ipcp", run: bindIPCP),
        ])

    static let unbind = CommandGroup(
        usage: usageText("Usage: irm unbind [OPERATION]", "", "where OPERATION in {program process ipcp help}"),
        helpCommand: "irm unbind help",
        passesKeyword: true,
        commands: [
            Command(keyword: "program", run: unbindProgram),
            Command(keyword: "process", run: unbindProcess),
            Command(keyword: "ipcp", run: unbindIPCP),
        ])

    static let bindProgramUsage = usageText(
        "Usage: irm bind program <program>",
        "           name <name>",
        "           [auto] (instantiate program if not running)",
        "           [-- <application arguments>]")

    /// The path is canonicalised when it exists, then resolved like the
    /// library does (through `PATH` when it has no `/`); everything after `--`
    /// is passed to the program when the IRMd starts it (`auto`).
    static func bindProgram(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let specs: [OptionSpec] = [.value("name"), .value("program"), .exactFlag("auto")]
        guard let options = session.options(tokens, specs, hint: "irm bind program", usage: bindProgramUsage,
                                            terminator: "--")
        else { return .failure }
        guard let name = options.value("name"), let typed = options.value("program") else {
            session.say(bindProgramUsage)
            return .failure
        }
        let program = (try? session.environment.realPath(typed)) ?? typed
        let resolved: String
        do throws(OuroError) {
            resolved = try session.environment.resolveProgram(program)
        } catch {
            if error == .noEntry { session.say("\(program) does not exist.\n") }
            if error == .permission { session.say("Cannot execute \(program), please check permissions.\n") }
            throw error
        }
        try session.client.bindProgram(exec: [resolved] + options.trailing, name: name, auto: options.has("auto"))
        return .success
    }

    static let bindProcessUsage = usageText("Usage: irm bind process <pid> name <name>")

    /// The pid must be a whole decimal number of a live process.
    static func bindProcess(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let list = OptionList(tokens, [.value("name"), .value("process")])
        var pid: Int32 = -1
        for entry in list.entries where entry.keyword == "process" {
            let text = entry.value ?? ""
            let (number, complete) = leadingInteger(text, radix: 10)
            guard complete, let candidate = Int32(exactly: number), session.environment.processExists(candidate)
            else {
                session.say("\"\(text)\" is not a valid process id.\n")
                return .failure
            }
            pid = candidate
        }
        guard session.accept(list, hint: "irm bind process", usage: bindProcessUsage) else { return .failure }
        guard pid >= 0, let name = list.value("name") else {
            session.say(bindProcessUsage)
            return .failure
        }
        try session.client.bindProcess(pid: pid, name: name)
        return .success
    }

    static let bindIPCPUsage = usageText("Usage: irm bind ipcp <name> name <name>")

    /// Binds the first IPCP named exactly so; an unknown IPCP does nothing.
    static func bindIPCP(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("name"), .value("ipcp")],
                                            hint: "irm bind ipcp", usage: bindIPCPUsage)
        else { return .failure }
        guard let name = options.value("name"), let ipcpName = options.value("ipcp") else {
            session.say(bindIPCPUsage)
            return .failure
        }
        if let ipcp = try session.client.listIPCPs().first(where: { $0.name == ipcpName }) {
            try session.client.bindProcess(pid: ipcp.processID, name: name)
        }
        return .success
    }

    static let unbindProgramUsage = usageText(
        "Usage: irm unbind program <program>",
        "                  [name <name> (default: unbind all names)]")

    /// The program is sent as typed (the IRMd matches basenames). Without
    /// `name` the IRMd unbinds it from every name and drops its auto-starts.
    static func unbindProgram(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("name"), .value("program")],
                                            hint: "irm unbind program", usage: unbindProgramUsage)
        else { return .failure }
        guard let program = options.value("program") else {
            session.say(unbindProgramUsage)
            return .failure
        }
        try session.client.unbindProgram(program, name: options.value("name"))
        return .success
    }

    static let unbindProcessUsage = usageText(
        "Usage: irm unbind process <pid>",
        "                  [name <name> (default: unbind all names)]")

    /// The pid is read like `strtol` (no validation); without `name` the IRMd
    /// forgets the process (every binding goes).
    static func unbindProcess(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("name"), .value("process")],
                                            hint: "irm unbind process", usage: unbindProcessUsage)
        else { return .failure }
        let pid = options.value("process").map { Int32(truncatingIfNeeded: leadingInteger($0, radix: 10).value) } ?? -1
        guard pid >= 0 else {
            session.say(unbindProcessUsage)
            return .failure
        }
        try session.client.unbindProcess(pid: pid, name: options.value("name"))
        return .success
    }

    static let unbindIPCPUsage = usageText(
        "Usage: irm unbind ipcp <name>",
        "                  [name <name> (default: remove all IPCP info)]")

    /// Unbinds the first IPCP named exactly so; without `name` the IRMd forgets
    /// the IPCP's process and its IPCP entry. An unknown IPCP does nothing.
    static func unbindIPCP(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let options = session.options(tokens, [.value("name"), .value("ipcp")],
                                            hint: "irm unbind ipcp", usage: unbindIPCPUsage)
        else { return .failure }
        guard let ipcpName = options.value("ipcp") else {
            session.say(unbindIPCPUsage)
            return .failure
        }
        if let ipcp = try session.client.listIPCPs().first(where: { $0.name == ipcpName }) {
            try session.client.unbindProcess(pid: ipcp.processID, name: options.value("name"))
        }
        return .success
    }
}
