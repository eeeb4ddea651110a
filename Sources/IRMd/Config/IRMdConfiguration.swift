import DevKit
import Foundation

/// An irmd.conf file (spec host.md §8.4), checked completely before anything is
/// applied: a bad file names the file, line and key and changes nothing.
struct IRMdConfiguration: Equatable {
    /// A name to create, with programs to bind.
    struct NameItem: Equatable {
        let name: String
        var policy: LoadBalance = .spillover
        /// Argument vectors (program first) and whether each auto-starts.
        var programs: [(argv: [String], autostart: Bool)] = []
        var server = SecurityPaths()
        var client = SecurityPaths()

        static func == (a: NameItem, b: NameItem) -> Bool {
            a.name == b.name && a.policy == b.policy && a.server == b.server && a.client == b.client
                && a.programs.map(\.argv) == b.programs.map(\.argv) && a.programs.map(\.autostart) == b.programs.map(\.autostart)
        }
    }

    /// An IPCP to create and, optionally, bootstrap or enroll.
    struct IPCPItem: Equatable {
        let type: IPCPType
        let name: String
        var bootstrap: ipcp_config_msg?
        var enrol: String?
        var autobind = false
        var register: [String] = []
        var connect: [String] = []
    }

    enum Item: Equatable {
        case name(NameItem)
        case ipcp(IPCPItem)
    }

    struct Error: Swift.Error, Equatable, CustomStringConvertible {
        let file: String
        let line: Int
        let key: String?
        let message: String
        var description: String {
            "\(file):\(line): " + (key.map { "\($0): " } ?? "") + message
        }
    }

    /// Items in file order.
    private(set) var items: [Item] = []
    /// Things worth a warning (a bootstrap ignored in favour of enrol, ...).
    private(set) var warnings: [String] = []

    private static let ipcpTables: [String: IPCPType] = [
        "local": .local, "eth-llc": .ethLLC, "eth-dix": .ethDIX, "udp4": .udp4, "udp6": .udp6,
        "broadcast": .broadcast, "unicast": .unicast,
    ]

    init(parsing text: String, file: String, realPath: (String) -> String? = IRMdConfiguration.realPath) throws(Error) {
        let doc: TOMLDocument
        do {
            doc = try TOMLDocument(parsing: text)
        } catch {
            throw Error(file: file, line: error.line, key: nil, message: error.message)
        }
        for table in doc.tables {
            guard table.path.count == 2 else {
                throw Error(file: file, line: table.line, key: table.path.joined(separator: "."),
                            message: "expected [<kind>.<name>]")
            }
            var reader = TableReader(table: table, file: file)
            if table.path[0] == "name" {
                items.append(.name(try reader.nameItem(realPath: realPath)))
            } else if let type = IRMdConfiguration.ipcpTables[table.path[0]] {
                items.append(.ipcp(try reader.ipcpItem(type: type)))
                warnings += reader.warnings
            } else {
                throw Error(file: file, line: table.line, key: table.path[0], message: "unknown table")
            }
            try reader.rejectUnknownKeys()
        }
    }

    /// `realpath(3)`, nil when the path does not exist.
    static func realPath(_ path: String) -> String? {
        guard let r = Glibc.realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}

/// Reads the keys of one table, remembering which were used.
private struct TableReader {
    let table: TOMLDocument.Table
    let file: String
    var used: Set<String> = []
    var warnings: [String] = []

    init(table: TOMLDocument.Table, file: String) {
        self.table = table
        self.file = file
    }

    var name: String { table.path[1] }

    func error(_ key: String?, _ message: String) -> IRMdConfiguration.Error {
        IRMdConfiguration.Error(file: file, line: key.flatMap { table.entry($0)?.line } ?? table.line, key: key, message: message)
    }

    mutating func string(_ key: String) throws(IRMdConfiguration.Error) -> String? {
        guard let e = table.entry(key) else { return nil }
        used.insert(key)
        guard case .string(let s) = e.value else { throw error(key, "expected a string") }
        return s
    }

    mutating func strings(_ key: String) throws(IRMdConfiguration.Error) -> [String]? {
        guard let e = table.entry(key) else { return nil }
        used.insert(key)
        guard case .array(let values) = e.value else { throw error(key, "expected an array of strings") }
        var out: [String] = []
        for v in values {
            guard case .string(let s) = v else { throw error(key, "expected an array of strings") }
            out.append(s)
        }
        return out
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(IRMdConfiguration.Error) -> Int64? {
        guard let e = table.entry(key) else { return nil }
        used.insert(key)
        guard case .integer(let n) = e.value else { throw error(key, "expected an integer") }
        guard range.contains(n) else { throw error(key, "\(n) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    mutating func boolean(_ key: String) throws(IRMdConfiguration.Error) -> Bool? {
        guard let e = table.entry(key) else { return nil }
        used.insert(key)
        guard case .boolean(let b) = e.value else { throw error(key, "expected true or false") }
        return b
    }

    func rejectUnknownKeys() throws(IRMdConfiguration.Error) {
        if let unknown = table.entries.first(where: { !used.contains($0.key) }) {
            throw error(unknown.key, "unknown key")
        }
    }

    mutating func nameItem(realPath: (String) -> String?) throws(IRMdConfiguration.Error) -> IRMdConfiguration.NameItem {
        var item = IRMdConfiguration.NameItem(name: name)
        guard !name.isEmpty, name.utf8.count <= maxNameLength else { throw error(nil, "invalid name length") }
        switch try string("lb") {
        case nil, "spill"?: item.policy = .spillover
        case "round-robin"?: item.policy = .roundRobin
        case let other?: throw error("lb", "unknown load-balancing policy \"\(other)\" (spill, round-robin)")
        }
        let programs = try strings("prog") ?? []
        let args = try strings("args") ?? []
        guard args.count <= programs.count else { throw error("args", "more entries than prog") }
        for (i, prog) in programs.enumerated() {
            let extra = i < args.count ? args[i].split(separator: " ").map(String.init) : []
            item.programs.append((argv: [prog] + extra, autostart: i < args.count))
        }
        func path(_ key: String) throws(IRMdConfiguration.Error) -> String {
            guard let p = try string(key) else { return "" }
            guard let real = realPath(p) else { throw error(key, "\(p) does not exist") }
            guard real.utf8.count <= 511 else { throw error(key, "path too long") }
            return real
        }
        item.server = SecurityPaths(enc: try path("server_enc_file"), crt: try path("server_crt_file"), key: try path("server_key_file"))
        item.client = SecurityPaths(enc: try path("client_enc_file"), crt: try path("client_crt_file"), key: try path("client_key_file"))
        return item
    }

    mutating func ipcpItem(type: IPCPType) throws(IRMdConfiguration.Error) -> IRMdConfiguration.IPCPItem {
        guard !name.isEmpty, name.utf8.count <= maxNameLength else { throw error(nil, "invalid IPCP name length") }
        var item = IRMdConfiguration.IPCPItem(type: type, name: name)
        // The reference turns autobind on whatever the value; we honour it.
        item.autobind = try boolean("autobind") ?? false
        item.register = try strings("reg") ?? []
        item.connect = try strings("conn") ?? []
        item.enrol = try string("enrol")
        let layer = try string("bootstrap")
        if let layer {
            guard !layer.isEmpty, layer.utf8.count <= maxNameLength else { throw error("bootstrap", "invalid layer name length") }
        }
        let conf = try bootstrapConfig(type: type, layer: layer ?? "")
        if item.enrol != nil {
            if layer != nil { warnings.append("\(name): both bootstrap and enrol given, bootstrap ignored.") }
        } else if layer != nil {
            item.bootstrap = conf
        }
        return item
    }

    /// The bootstrap configuration from the type's keys (read even when not
    /// bootstrapping, so that a bad value is always reported).
    mutating func bootstrapConfig(type: IPCPType, layer: String) throws(IRMdConfiguration.Error) -> ipcp_config_msg {
        var conf = ipcp_config_msg()
        var info = layer_info_msg()
        info.name = layer
        info.dirHashAlgo = HashAlgorithm.sha3_256.rawValue
        conf.ipcpType = type.rawValue
        if type != .unicast && type != .broadcast, let h = try string("hash") {
            guard let algo = HashAlgorithm.allCases.first(where: { $0.name == h && $0 != .crc32 && $0 != .md5 }) else {
                throw error("hash", "unknown hash \"\(h)\" (SHA3_224, SHA3_256, SHA3_384, SHA3_512)")
            }
            info.dirHashAlgo = algo.rawValue
        }
        conf.layerInfo = info
        switch type {
        case .local, .broadcast:
            break
        case .ethLLC, .ethDIX:
            guard let dev = try string("dev") else { throw error(nil, "missing dev") }
            guard dev.utf8.count <= maxNameLength else { throw error("dev", "device name too long") }
            var eth = eth_config_msg()
            eth.dev = dev
            eth.ethertype = 0
            if type == .ethDIX {
                let t = try integer("ethertype", in: 0x0600...0xFFFE) ?? 0xA000
                eth.ethertype = UInt32(t)
            }
            conf.eth = eth
        case .udp4, .udp6:
            let v4 = type == .udp4
            guard let ip = try string("ip") else { throw error(nil, "missing ip") }
            guard let address = IPAddressText.parse(ip, v4: v4), address.contains(where: { $0 != 0 }) else {
                throw error("ip", "invalid address \"\(ip)\"")
            }
            var dns: [UInt8]?
            if let d = try string("dns") {
                guard let parsed = IPAddressText.parse(d, v4: v4) else { throw error("dns", "invalid address \"\(d)\"") }
                dns = parsed
            }
            let port = UInt16(try integer("port", in: 1...65535) ?? 3435)
            // The reference drops the parsed udp6 addresses [ref-quirk]; we keep them.
            if v4 {
                conf.udp4 = IPAddressText.udp4(address: address, port: port, dns: dns)
            } else {
                conf.udp6 = IPAddressText.udp6(address: address, port: port, dns: dns)
            }
        case .unicast:
            conf.unicast = try unicastSettings().message
        }
        return conf
    }

    mutating func unicastSettings() throws(IRMdConfiguration.Error) -> UnicastSettings {
        var u = UnicastSettings()
        if let d = try string("directory"), d != "DHT" && d != "dht" { throw error("directory", "unknown directory \"\(d)\" (DHT)") }
        if let a = try string("addr-auth"), a != "flat" { throw error("addr-auth", "unknown address authority \"\(a)\" (flat)") }
        u.dhtAlpha = UInt32(try integer("dht_alpha", in: 1...10) ?? Int64(u.dhtAlpha))
        u.dhtK = UInt32(try integer("dht_k", in: 1...20) ?? Int64(u.dhtK))
        u.dhtExpire = UInt32(try integer("dht_t_expire", in: 10...86400) ?? Int64(u.dhtExpire))
        u.dhtRefresh = UInt32(try integer("dht_t_refresh", in: 3...3600) ?? Int64(u.dhtRefresh))
        u.dhtReplicate = UInt32(try integer("dht_t_replicate", in: 3...3600) ?? Int64(u.dhtReplicate))
        u.addrSize = UInt8(try integer("addr_size", in: 1...8) ?? Int64(u.addrSize))
        u.eidSize = UInt8(try integer("eid_size", in: 1...8) ?? Int64(u.eidSize))
        u.maxTTL = UInt8(try integer("max_ttl", in: 1...255) ?? Int64(u.maxTTL))
        switch try string("routing") {
        case nil, "link-state"?: u.linkState = 0
        case "lfa"?: u.linkState = 1
        case "ecmp"?: u.linkState = 2
        case let other?: throw error("routing", "unknown routing \"\(other)\" (link-state, lfa, ecmp)")
        }
        u.lsRecalc = UInt32(try integer("ls_t_recalc", in: 1...UInt32.max.asInt64) ?? Int64(u.lsRecalc))
        u.lsUpdate = UInt32(try integer("ls_t_update", in: 1...UInt32.max.asInt64) ?? Int64(u.lsUpdate))
        u.lsTimeout = UInt32(try integer("ls_t_timeo", in: 1...UInt32.max.asInt64) ?? Int64(u.lsTimeout))
        switch try string("congestion") {
        case nil, "mb-ecn"?: u.congestion = 1
        case "none"?: u.congestion = 0
        case "lfa"?:
            // What the reference accepts for MB-ECN (it rejects "mb-ecn" [ref-quirk]).
            u.congestion = 1
        case let other?: throw error("congestion", "unknown congestion avoidance \"\(other)\" (none, mb-ecn)")
        }
        return u
    }
}

private extension UInt32 {
    var asInt64: Int64 { Int64(self) }
}
