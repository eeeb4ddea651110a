import DevKit
import Foundation
import Glibc

/// `irm ipcp bootstrap`: find (or create) the IPCPs matching a name and
/// bootstrap each with a configuration built from the options and the
/// defaults of spec host.md §2.4.
enum IPCPBootstrap {
    static let algorithms = "{SHA3_224 SHA3_256 SHA3_384 SHA3_512}"

    static let usage = usageText(
        "Usage: irm ipcp bootstrap",
        "           name <ipcp name>",
        "           layer <layer name>",
        "           [type [TYPE]]",
        "where TYPE in \(IPCPCommands.typeList),",
        "",
        "if TYPE == unicast",
        "        [addr_auth <ADDRESS_POLICY> (default: flat)]",
        "        [directory <DIRECTORY_POLICY> (default: DHT)]",
        "        [hash [ALGORITHM] (default: SHA3_256)]",
        "        [routing <ROUTING_POLICY> (default: link_state)]",
        "        [congestion <CONG_POLICY> (default: mb-ecn)]",
        "        [autobind]",
        "",
        "where ADDRESS_POLICY in {flat}",
        "    DIRECTORY_POLICY in {DHT}",
        "    ALGORITHM in \(algorithms)",
        "    ROUTING_POLICY in {link_state lfa ecmp}",
        "    CONG_POLICY in {none mb-ecn}",
        "    [Data Transfer Constants]",
        "        [addr <address size> (default: 4)]",
        "        [eid <eid size> (default: 8)]",
        "        [ttl <max time-to-live>, default: 60)]",
        "",
        "if DIRECTORY_POLICY == DHT",
        "        [dht_alpha <search factor> (default: 3)]",
        "        [dht_k <replication factor> (default: 8)]",
        "        [dht_t_expire <expiration (s)> (default: 86400)]",
        "        [dht_t_refresh <contact refresh (s)> (default: 900)]",
        "        [dht_t_replicate <replication (s)> (default: 900)]",
        "",
        "if ROUTING_POLICY == link_state",
        "        [ls_t_recalc <pff recalc interval (s)> (default: 4)]",
        "        [ls_t_update <LSA update interval (s)> (default: 15)]",
        "        [ls_t_timeo  <link timeout (s)> (default: 60)]",
        "",
        "if TYPE == udp4",
        "        ip <IP address in dotted notation>",
        "        [port <UDP port> (default: 3435)]",
        "        [dns <DDNS IPv4 address in dotted notation> (default: none)]",
        "",
        "if TYPE == udp6",
        "        ip <IPv6 address>",
        "        [port <UDP port> (default: 3435)]",
        "        [dns <DDNS IPv6 address> (default: none)]",
        "",
        "if TYPE == eth-llc",
        "        dev <interface name>",
        "        [hash [ALGORITHM] (default: SHA3_256)]",
        "where ALGORITHM in \(algorithms)",
        "",
        "if TYPE == eth-dix",
        "        dev <interface name>",
        "        [ethertype <ethertype> (default: 0xA000)]",
        "        [hash [ALGORITHM] (default: SHA3_256)]",
        "where ALGORITHM in \(algorithms)",
        "",
        "if TYPE == local",
        "        [hash [ALGORITHM] (default: SHA3_256)]",
        "where ALGORITHM in \(algorithms)",
        "",
        "if TYPE == broadcast",
        "        [autobind]",
        "")

    /// The keywords, in the reference's matching order.
    static let specs: [OptionSpec] = [
        .value("type"), .value("layer"), .value("name"), .value("hash"), .value("ip"), .value("dns"),
        .value("device"), .value("ethertype"), .value("addr"), .value("eid"), .value("ttl"), .value("port"),
        .flag("autobind"), .value("addr_auth"), .value("directory"), .value("dht_alpha"), .value("dht_k"),
        .value("dht_t_expire"), .value("dht_t_refresh"), .value("dht_t_replicate"), .value("routing"),
        .value("ls_t_timeo"), .value("ls_t_update"), .value("ls_t_recalc"), .value("congestion"),
    ]

    static func run(_ session: Session, _ tokens: ArraySlice<String>) throws(OuroError) -> Outcome {
        let list = OptionList(tokens, specs)
        guard let settings = BootstrapSettings(list, session) else { return .failure }
        guard let name = settings.name, let layer = settings.layer else {
            session.say(usage)
            return .failure
        }
        var ipcps = try session.client.listIPCPs()
        let found = ipcps.contains { wildcardMatches(pattern: $0.name, name) }
        var type: IPCPType?
        if let typeName = settings.typeName {
            guard let t = IPCPTypeName.abbreviated(typeName) else {
                session.say(usage)
                return .failure
            }
            type = t
            // Refuse bad addresses before creating anything.
            if (t == .udp4 || t == .udp6) && settings.udpConfig(for: t, session) == nil { return .failure }
        }
        if !found {
            guard let type else {
                session.say("No IPCPs matching \(name) found.\n\n")
                return .failure
            }
            try session.client.createIPCP(name: name, type: type)
            ipcps = try session.client.listIPCPs()
        }
        var autobind = settings.autobind
        for ipcp in ipcps where wildcardMatches(pattern: ipcp.name, name) {
            let pid = ipcp.processID
            if let type, type.rawValue != ipcp.type {
                session.say("Types do not match.\n\n")
                return .failure
            }
            if autobind && ipcp.type != IPCPType.unicast.rawValue && ipcp.type != IPCPType.broadcast.rawValue {
                session.say("Can not bind this IPCP type,autobind disabled.\n\n")
                autobind = false
            }
            if layer.utf8.count > nameSizeLimit {
                session.say("Layer name too long.\n\n" + usage)
                return .failure
            }
            guard let config = settings.config(layer: layer, type: ipcp.type, session) else { return .failure }
            if autobind {
                do throws(OuroError) {
                    try session.client.bindProcess(pid: pid, name: name)
                } catch {
                    session.say("Failed to bind \(pid) to \(name).\n")
                    throw error
                }
                do throws(OuroError) {
                    try session.client.bindProcess(pid: pid, name: layer)
                } catch {
                    session.say("Failed to bind \(pid) to \(layer).\n")
                    try? session.client.unbindProcess(pid: pid, name: name)
                    throw error
                }
            }
            do throws(OuroError) {
                try session.client.bootstrapIPCP(pid: pid, config: config)
            } catch {
                if autobind {
                    try? session.client.unbindProcess(pid: pid, name: name)
                    try? session.client.unbindProcess(pid: pid, name: layer)
                }
                throw error
            }
        }
        return .success
    }
}

/// The bootstrap options after parsing, with the reference's defaults. The
/// numeric options are read like C's `atoi` and stored in fields of the C
/// configuration's widths (8-bit data-transfer sizes, 16-bit port), so large
/// values wrap exactly as with the reference tool.
struct BootstrapSettings {
    var typeName: String?
    var layer: String?
    var name: String?
    var hash = HashAlgorithm.sha3_256
    var ip: String?
    var dns: String?
    var device: String?
    var ethertype: UInt16 = 0xA000
    var port: UInt16 = 3435
    var autobind = false
    var unicast = UnicastSettings()

    static let hashes: [String: HashAlgorithm] = [
        "SHA3_224": .sha3_224, "SHA3_256": .sha3_256, "SHA3_384": .sha3_384, "SHA3_512": .sha3_512,
    ]
    static let linkStatePolicies: [String: UInt32] = ["link_state": 0, "lfa": 1, "ecmp": 2]
    static let congestionPolicies: [String: UInt32] = ["none": 0, "mb-ecn": 1]

    /// Reads `list` in order; prints the reference's message and returns nil at
    /// the first bad value or unknown keyword.
    init?(_ list: OptionList, _ session: Session) {
        for entry in list.entries {
            let value = entry.value ?? ""
            func unsigned(_ text: String) -> UInt32 { UInt32(bitPattern: cInteger(text)) }
            var known = true
            switch entry.keyword {
            case "type": typeName = value
            case "layer": layer = value
            case "name": name = value
            case "hash":
                if let h = Self.hashes[value] { hash = h } else { known = false }
            case "ip": ip = value
            case "dns": dns = value
            case "device": device = value
            case "ethertype":
                let (number, complete) = leadingInteger(value, radix: 16)
                guard complete, number >= 0x0600, number < 0xFFFF else {
                    session.say("Invalid Ethertype: \"\(value)\".\nRecommended range: 0xA000-0xEFFF.\n")
                    return nil
                }
                ethertype = UInt16(number)
            case "addr": unicast.addrSize = UInt8(truncatingIfNeeded: cInteger(value))
            case "eid": unicast.eidSize = UInt8(truncatingIfNeeded: cInteger(value))
            case "ttl": unicast.maxTTL = UInt8(truncatingIfNeeded: cInteger(value))
            case "port": port = UInt16(truncatingIfNeeded: cInteger(value))
            case "autobind": autobind = true
            case "addr_auth": known = value == "flat"
            case "directory": known = value == "DHT"
            case "dht_alpha": unicast.dhtAlpha = unsigned(value)
            case "dht_k": unicast.dhtK = unsigned(value)
            case "dht_t_expire": unicast.dhtExpire = unsigned(value)
            case "dht_t_refresh": unicast.dhtRefresh = unsigned(value)
            case "dht_t_replicate": unicast.dhtReplicate = unsigned(value)
            case "routing":
                if let p = Self.linkStatePolicies[value] { unicast.linkState = p } else { known = false }
            case "ls_t_timeo": unicast.lsTimeout = unsigned(value)
            case "ls_t_update": unicast.lsUpdate = unsigned(value)
            case "ls_t_recalc": unicast.lsRecalc = unsigned(value)
            case "congestion":
                if let c = Self.congestionPolicies[value] { unicast.congestion = c } else { known = false }
            default: known = false
            }
            guard known else {
                session.say("Unknown parameter for \(entry.token): \"\(value)\".\n")
                return nil
            }
        }
        switch list.stop {
        case nil: break
        case .unknown(let token):
            session.say("Unknown option: \"\(token)\".\n")
            return nil
        case .missingValue:
            session.say(IPCPBootstrap.usage)
            return nil
        }
    }

    /// The configuration for an IPCP of wire type `type`; nil (after printing
    /// why) when the options do not suffice for it.
    func config(layer: String, type: UInt32, _ session: Session) -> ipcp_config_msg? {
        var config = ipcp_config_msg()
        var info = layer_info_msg()
        info.name = layer
        info.dirHashAlgo = hash.rawValue
        config.layerInfo = info
        config.ipcpType = type
        let known = IPCPType(rawValue: type)
        switch known {
        case .unicast:
            config.unicast = unicast.message
        case .udp4?, .udp6?:
            // The reference reads `ip`/`dns` only when `type` was typed, so it
            // bootstraps an existing UDP IPCP named without `type` on 0.0.0.0 / ::
            // [ref-quirk, spec host.md §8.2]; the addresses are always used here.
            guard let known, let udp = udpConfig(for: known, session) else { return nil }
            switch udp {
            case .v4(let c): config.udp4 = c
            case .v6(let c): config.udp6 = c
            }
        case .ethDIX, .ethLLC:
            guard let device else {
                session.say(IPCPBootstrap.usage)
                return nil
            }
            guard device.utf8.count <= nameSizeLimit else {
                session.say("Device name too long.\n\n" + IPCPBootstrap.usage)
                return nil
            }
            var eth = eth_config_msg()
            eth.dev = device
            // LLC has no Ethertype; the reference leaves the field uninitialised
            // (stack garbage on the wire), we send 0.
            eth.ethertype = known == .ethDIX ? UInt32(ethertype) : 0
            config.eth = eth
        case .local, .broadcast, nil:
            break
        }
        return config
    }

    enum UDPConfig {
        case v4(udp4_config_msg)
        case v6(udp6_config_msg)
    }

    /// The UDP part, with `ip` required and neither it nor `dns` allowed to be
    /// malformed; nil after printing the reference's message and the usage.
    func udpConfig(for type: IPCPType, _ session: Session) -> UDPConfig? {
        let v4 = type == .udp4
        let family = v4 ? "IPv4" : "IPv6"
        let text = ip ?? ""
        guard let address = IPAddressText.parse(text, v4: v4) else {
            session.say("Invalid \(family) address: \"\(text)\".\n" + IPCPBootstrap.usage)
            return nil
        }
        guard address.contains(where: { $0 != 0 }) else {
            session.say("Cannot use \(family) address: \"\(text)\".\n" + IPCPBootstrap.usage)
            return nil
        }
        var server = [UInt8](repeating: 0, count: v4 ? 4 : 16)
        if let dns {
            guard let parsed = IPAddressText.parse(dns, v4: v4) else {
                session.say("Invalid DNS \(family) address: \"\(dns)\".\n" + IPCPBootstrap.usage)
                return nil
            }
            server = parsed
        }
        return v4 ? .v4(IPAddressText.udp4(address: address, port: port, dns: server))
                  : .v6(IPAddressText.udp6(address: address, port: port, dns: server))
    }
}
