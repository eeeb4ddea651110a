import DevKit

/// What every command works with: the IRMd, the system and the output.
struct Session {
    let client: IRMClient
    let environment: any IRMEnvironment
    let output: any IRMOutput

    /// Writes to standard output, as the reference's `printf`.
    func say(_ text: String) { output.write(text) }

    /// Writes to standard error.
    func complain(_ text: String) { output.writeError(text) }
}

/// The `irm` tool (spec host.md §8).
public enum IRMCommandLine {
    static let usage = "Usage: irm [OPERATION]\n\nwhere OPERATION in { ipcp bind unbind name }\n"

    /// The top-level table. `register` and `unregister` are the pre-`name`
    /// spellings older scripts (Rumba: `irm r n NAME ipcp X`) still type; they
    /// come after `name` so that every abbreviation of the current grammar keeps
    /// its meaning.
    static let commands = CommandGroup(usage: usage, helpCommand: "irm help", commands: [
        Command(keyword: "ipcp", run: IPCPCommands.group.handler),
        Command(keyword: "bind", run: BindCommands.bind.handler),
        Command(keyword: "unbind", run: BindCommands.unbind.handler),
        Command(keyword: "name", run: NameCommands.group.handler),
        Command(keyword: "register", run: LegacyCommands.register),
        Command(keyword: "unregister", run: LegacyCommands.unregister),
    ])

    static let daemonUnreachable = "Failed to communicate with the Ouroboros IPC Resource Manager daemon.\n"

    /// Runs `irm` with `arguments` (the whole `argv`, program name first) and
    /// returns the exit status: 0 on success, 1 on failure, 255 when no
    /// operation is given (after printing the usage).
    public static func run(arguments: [String],
                           transport: any IRMTransport = DaemonTransport(),
                           environment: any IRMEnvironment = SystemEnvironment(),
                           output: any IRMOutput = Console()) -> Int32 {
        let session = Session(client: IRMClient(transport: transport), environment: environment, output: output)
        let tokens = arguments.dropFirst()
        guard !tokens.isEmpty else {
            session.say(usage)
            return 255
        }
        do {
            return try commands.run(session, tokens) == .success ? 0 : 1
        } catch {
            if error == .irmd { session.say(daemonUnreachable) }
            return 1
        }
    }
}
