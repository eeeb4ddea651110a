import DevKit

/// Whether a command-line token selects `keyword`: the token must be a prefix of
/// the keyword (`i` selects `ipcp`, the empty token selects anything), compared
/// byte by byte (spec host.md §8.1).
func selects(_ token: String, _ keyword: String) -> Bool {
    keyword.utf8.starts(with: token.utf8)
}

/// How a command ended, before it becomes an exit status.
enum Outcome {
    case success
    case failure
}

/// Runs one command with the tokens that follow its keyword (or, for groups that
/// pass the keyword on, starting with it). Errors from the IRMd are thrown.
typealias CommandHandler = @Sendable (Session, ArraySlice<String>) throws(OuroError) -> Outcome

/// One entry of a command table.
struct Command: Sendable {
    let keyword: String
    let run: CommandHandler
}

/// A table of sub-commands (`irm ipcp ...`): the first keyword the next token
/// selects wins, in table order.
struct CommandGroup: Sendable {
    /// Printed when no sub-command is given and by `help`.
    let usage: String
    /// Where the unknown-command message points, e.g. `irm ipcp help`.
    let helpCommand: String
    /// Whether the handler receives the matched token too (the `bind` and
    /// `unbind` handlers parse it as the key of their first value).
    let passesKeyword: Bool
    let commands: [Command]

    init(usage: String, helpCommand: String, passesKeyword: Bool = false, commands: [Command]) {
        self.usage = usage
        self.helpCommand = helpCommand
        self.passesKeyword = passesKeyword
        self.commands = commands + [Command(keyword: "help") { session, _ in
            session.say(usage)
            return .success
        }]
    }

    func run(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        guard let token = tokens.first else {
            session.say(usage)
            return .failure
        }
        guard let command = commands.first(where: { selects(token, $0.keyword) }) else {
            session.complain("\"\(token)\" is unknown, try \"\(helpCommand)\".\n")
            return .failure
        }
        return try command.run(session, passesKeyword ? tokens : tokens.dropFirst())
    }

    /// The group as a handler, to nest it in another table.
    var handler: CommandHandler {
        { session, tokens throws(OuroError) in try run(session, tokens) }
    }
}

/// Usage text: the lines, each ended by a newline.
func usageText(_ lines: String...) -> String {
    lines.map { $0 + "\n" }.joined()
}
