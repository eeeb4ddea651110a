import DevKit

/// `printf("%*s")`: right-aligned in `width` bytes, never truncated.
func rightAligned(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.utf8.count)) + text
}

/// The `irm ipcp list` table (spec host.md §8.5), with a row for each IPCP
/// `shown` selects (a frame without rows when it selects none).
func ipcpTable(_ ipcps: [ipcp_list_msg], shown: (ipcp_list_msg) -> Bool = { _ in true }) -> String {
    guard !ipcps.isEmpty else { return "No IPCPs in system.\n\n" }
    let rule = "+---------+----------------------+------------+----------------------+\n"
    func row(_ pid: String, _ name: String, _ type: String, _ layer: String) -> String {
        "| \(rightAligned(pid, 7)) | \(rightAligned(name, 20)) | \(rightAligned(type, 10)) | \(rightAligned(layer, 20)) |\n"
    }
    var text = rule + row("pid", "name", "type", "layer") + rule
    for ipcp in ipcps where shown(ipcp) {
        text += row(String(ipcp.processID), ipcp.name, IPCPType(rawValue: ipcp.type)?.name ?? "UNKNOWN", ipcp.layer)
    }
    return text + rule + "\n"
}

/// The `irm name list` table: only names that are a prefix of `filter` when one
/// is given, as the reference does [ref-quirk, spec host.md §11.42].
func nameTable(_ names: [name_info_msg], filter: String?) -> String {
    guard !names.isEmpty else { return "No names in system.\n\n" }
    let rule = "+----------------------------------------------------+----------------------+\n"
    func row(_ name: String, _ policy: String) -> String {
        "| \(rightAligned(name, 50)) | \(rightAligned(policy, 20)) |\n"
    }
    var text = rule + row("name", "load-balance policy") + rule
    for info in names where filter.map({ selects(info.name, $0) }) ?? true {
        text += row(info.name, LoadBalance(rawValue: info.polLb)?.name ?? "UNKNOWN")
    }
    return text + rule
}
