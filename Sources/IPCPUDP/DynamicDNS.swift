/// Dynamic DNS through Debian's dnsutils, as the reference does it (ipcps.md
/// §4.5): `nsupdate` adds and deletes a name's record, `nslookup` resolves it.
/// Names are the 32-hex-digit MD5 digests; the record type is `A` for both
/// families (ipcps.md §10, item 19).
struct DynamicDNS: Sendable {
    /// The record lifetime, in seconds.
    static let ttl = 86400

    let server: IPAddress
    let nsupdate: String
    let nslookup: String

    /// DDNS through `server`, if both helper programs are installed.
    init?(server: IPAddress) {
        let dirs = ["/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/"]
        guard let update = HelperProgram.find(dirs.map { $0 + "nsupdate" }),
              let lookup = HelperProgram.find(dirs.map { $0 + "nslookup" }) else { return nil }
        self.server = server
        nsupdate = update
        nslookup = lookup
    }

    /// nsupdate's input registering `name` at `address`.
    static func addCommand(server: IPAddress, name: String, address: IPAddress) -> String {
        "server \(server)\nupdate add \(name) \(ttl) A \(address)\nsend\nquit\n"
    }

    /// nsupdate's input withdrawing `name`.
    static func deleteCommand(server: IPAddress, name: String) -> String {
        "server \(server)\nupdate delete \(name) A\nsend\nquit\n"
    }

    /// The address in nslookup's output: its last non-empty line must contain
    /// `Address:`, and the text from the 10th character of that line on is
    /// the address (so the line must start with `Address: `).
    static func parseLookup(_ output: String, family: UDPFamily) -> IPAddress? {
        guard let last = output.split(separator: "\n").last, last.contains("Address:") else { return nil }
        let text = String(last.dropFirst("Address: ".count))
        return IPAddress(text, family: family)
    }

    /// Runs nsupdate with `command`; false if it could not be started (its
    /// exit status only matters for the log, as in the reference).
    func update(_ command: String) -> (started: Bool, succeeded: Bool) {
        guard let r = HelperProgram.run(nsupdate, [], input: command) else { return (false, false) }
        return (true, r.status == 0)
    }

    /// Resolves `name` with nslookup at the server.
    func lookup(_ name: String, family: UDPFamily) -> IPAddress? {
        guard let r = HelperProgram.run(nslookup, [name, server.description]) else { return nil }
        return DynamicDNS.parseLookup(r.output, family: family)
    }
}
