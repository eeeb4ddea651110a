import DevKit
import IPCPCommon
import IPCPKit

/// The DHT's information tree (`irm ipcp info ... dht`): the reference's
/// `dht/stats` and `dht/database`, and the contacts.
extension DHTNode {
    /// `/dht` with `stats` (ID, address, Kademlia parameters, counts),
    /// `contacts` (ID and address) and `database` (per key, its local and
    /// non-local values with last replication and expiry).
    public var info: InfoNode {
        let (contacts, store, lookups) = contents
        let entries = store.entries.sorted { InfoFormat.hex($0.key) < InfoFormat.hex($1.key) }
        let local = entries.reduce(0) { $0 + $1.value.local.count }
        let remote = entries.reduce(0) { $0 + $1.value.remote.count }
        let stats = InfoNode("stats", nil, [
            InfoNode("id", InfoFormat.hex(id)),
            InfoNode("address", address.description),
            InfoNode("alpha", String(config.alpha)),
            InfoNode("k", String(config.k)),
            InfoNode("t_expire", "\(config.expireSeconds) s"),
            InfoNode("t_refresh", "\(config.refreshSeconds) s"),
            InfoNode("t_replicate", "\(config.replicateSeconds) s"),
            InfoNode("keys", String(entries.count)),
            InfoNode("local values", String(local)),
            InfoNode("non-local values", String(remote)),
            InfoNode("contacts", String(contacts.count)),
            InfoNode("lookups", String(lookups)),
        ])
        let peers = contacts.sorted { $0.address < $1.address }.map {
            InfoNode(InfoFormat.hex($0.id), Address($0.address).description)
        }
        let database = entries.map { key, entry in
            InfoNode(InfoFormat.hex(key), nil,
                     entry.local.map { Self.valueInfo($0, "local") } + entry.remote.map { Self.valueInfo($0, "non-local") })
        }
        return InfoNode("dht", nil, [
            stats,
            InfoNode("contacts", peers.isEmpty ? "none" : nil, peers),
            InfoNode("database", database.isEmpty ? "no entries" : nil, database),
        ])
    }

    /// One value: the address it holds, whose it is, when it was last
    /// replicated and when it expires.
    private static func valueInfo(_ value: DHTValueStore.Value, _ kind: String) -> InfoNode {
        let held = DHTIdentifier.address(of: value.bytes).map { Address($0).description } ?? InfoFormat.hex(value.bytes)
        let replicated = value.lastReplication > 0 ? InfoFormat.utc(value.lastReplication) : "never"
        return InfoNode(held, "\(kind), t_replicated=\(replicated), t_exp=\(InfoFormat.utc(value.expiry))")
    }
}
