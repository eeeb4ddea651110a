import DevKit
import Foundation

/// The command lines of `Fixtures/control.txt` (a copy of the shared test
/// vectors): for each, the requests the reference `irm` sent, the replies its
/// fake IRMd gave and the exit status.
struct ControlCase {
    let name: String
    let command: String
    let exitStatus: Int32
    var requestHex: [String] = []
    var replies: [irm_msg] = []

    static func load() throws -> [ControlCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/control.txt")
        return try parse(String(contentsOf: url, encoding: .utf8))
    }

    /// Blocks are `## <case>: request i/n CODE` (or `## <case>: no request`)
    /// with `key: value` lines, then `hex:` followed by hex lines up to `fields:`.
    static func parse(_ text: String) throws -> [ControlCase] {
        var cases: [ControlCase] = []
        var block: [String: String] = [:]
        var title = ""
        var hex = ""
        var inHex = false

        func flush() throws {
            guard !title.isEmpty else { return }
            let caseName = String(title.prefix { $0 != ":" })
            if cases.last?.name != caseName {
                cases.append(ControlCase(name: caseName, command: block["command"] ?? "",
                                         exitStatus: Int32(block["exit-status"] ?? "") ?? -1))
            }
            if !title.hasSuffix("no request") {
                cases[cases.count - 1].requestHex.append(hex)
                cases[cases.count - 1].replies.append(try mockReply(block["mock-reply"] ?? ""))
            }
            title = ""
        }

        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                try flush()
                title = String(line.dropFirst(3))
                block = [:]
                hex = ""
                inHex = false
            } else if title.isEmpty {
                continue
            } else if line == "hex:" {
                inHex = true
            } else if inHex {
                if line.hasSuffix(":") || line.isEmpty { inHex = false } else { hex += line }
            } else if let colon = line.firstIndex(of: ":"), !line.hasPrefix(" ") {
                block[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        try flush()
        return cases
    }

    struct BadReply: Error { let text: String }

    /// `IRM_REPLY result 0[, ipcps = [{pid P, type T, name "N", layer "L",
    /// hash_algo H}, ...] | , names = [{name "N", pol_lb P, paths ""}, ...] |
    /// , no ipcps (empty list) | , no names (empty list)]`.
    static func mockReply(_ text: String) throws -> irm_msg {
        guard let match = text.wholeMatch(of: /IRM_REPLY result (-?\d+)(.*)/) else { throw BadReply(text: text) }
        var msg = irm_msg()
        msg.code = .irmReply
        msg.result = Int32(match.1)!
        for m in match.2.matches(of: /\{pid (\d+), type (\d+), name "([^"]*)", layer "([^"]*)", hash_algo (\d+)\}/) {
            var e = ipcp_list_msg()
            e.pid = UInt32(m.1)!
            e.type = UInt32(m.2)!
            e.name = String(m.3)
            e.layer = String(m.4)
            e.hashAlgo = UInt32(m.5)!
            msg.ipcps.append(e)
        }
        for m in match.2.matches(of: /\{name "([^"]*)", pol_lb (\d+), paths ""\}/) {
            var n = name_info_msg()
            n.name = String(m.1)
            n.polLb = UInt32(m.2)!
            n.skey = ""
            n.scrt = ""
            n.ckey = ""
            n.ccrt = ""
            msg.names.append(n)
        }
        return msg
    }
}
