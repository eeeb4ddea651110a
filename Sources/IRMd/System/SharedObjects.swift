#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization

/// The shared-memory objects irmd creates and destroys for the data path
/// (spec host.md §1.2, §3.8): the global pool, per-user pools, flow sets and
/// ring buffers.
final class SharedObjects: Sendable {
    let instance: Instance
    /// The global pool, kept mapped to reclaim the blocks of dead processes.
    let global: PacketPool
    private let userPools = Mutex<[UInt32: PacketPool]>([:])
    private let ouroborosGID: gid_t?

    init(instance: Instance) throws(OuroError) {
        self.instance = instance
        self.global = try PacketPool.createGlobal(in: instance)
        self.ouroborosGID = PacketPool.ouroborosGroup()
    }

    /// Privileged users (root, members of group `ouroboros`) use the global pool.
    func isPrivileged(uid: UInt32, gid: UInt32) -> Bool {
        if uid == 0 { return true }
        guard let g = ouroborosGID else { return false }
        if gid == g { return true }
        guard let pw = getpwuid(uid) else { return false }
        var groups = [gid_t](repeating: 0, count: 256)
        var n = Int32(groups.count)
        guard getgrouplist(pw.pointee.pw_name, gid, &groups, &n) >= 0 else { return false }
        return groups.prefix(Int(n)).contains(g)
    }

    /// Creates the per-user pool of `uid` if it does not exist yet.
    func ensureUserPool(uid: UInt32, gid: UInt32) throws(OuroError) {
        if userPools.withLock({ $0[uid] != nil }) { return }
        let pool = try PacketPool.createUser(in: instance, uid: uid, gid: gid)
        userPools.withLock { $0[uid] = pool }
    }

    /// Removes the per-user pool of `uid`.
    func destroyUserPool(uid: UInt32) {
        guard userPools.withLock({ $0.removeValue(forKey: uid) }) != nil else { return }
        PacketPool.destroy(name: instance.userPoolName(uid: uid))
    }

    /// The pool a flow of `uid` uses.
    func pool(uid: UInt32) -> PacketPool? { uid == 0 ? global : userPools.withLock { $0[uid] } }

    /// Creates the flow sets of process `pid`.
    func createFlowSet(pid: Int32) throws(OuroError) { _ = try FlowSet.create(in: instance, pid: pid) }

    /// Removes the flow sets of process `pid`.
    func destroyFlowSet(pid: Int32) { FlowSet.destroy(name: instance.flowSetName(pid: pid)) }

    /// Creates the receive ring of each of `pids` for flow `flowID`.
    func createRings(flowID: Int, pids: [Int32]) throws(OuroError) {
        var made: [Int32] = []
        for pid in pids {
            do {
                _ = try RingBuffer.create(in: instance, pid: pid, flowID: flowID)
                made.append(pid)
            } catch let e {
                for p in made { RingBuffer.destroy(name: instance.ringName(pid: p, flowID: flowID)) }
                throw e
            }
        }
    }

    /// Frees what is still queued in the rings of flow `flowID` and removes them.
    func destroyRings(flowID: Int, pids: [Int32], uid: UInt32) {
        let pool = pool(uid: uid)
        for pid in Set(pids) where pid > 0 {
            let name = instance.ringName(pid: pid, flowID: flowID)
            if let ring = try? RingBuffer.open(name: name), let pool {
                for offset in ring.drain() { try? pool.release(offset) }
            }
            RingBuffer.destroy(name: name)
        }
    }

    /// Marks both rings of a flow down and tells `notify` (if alive) that its peer left.
    func flowDown(flowID: Int, pids: [Int32], notify: Int32?) {
        for pid in Set(pids) where pid > 0 {
            if let ring = try? RingBuffer.open(in: instance, pid: pid, flowID: flowID) {
                ring.acl = ring.acl.union(.flowDown)
            }
        }
        if let n = notify, let set = try? FlowSet.open(in: instance, pid: n) {
            set.notify(flowID, .dealloc)
        }
    }

    /// Returns the global-pool blocks a dead process still owned.
    @discardableResult
    func reclaim(pid: Int32) -> Int { global.reclaim(pid: pid) }

    /// Removes what a crashed irmd of this instance left in /dev/shm (pools,
    /// flow sets, rings), except `keeping`.
    static func removeStale(instance: Instance, keeping: String) {
        guard let dir = opendir("/dev/shm") else { return }
        defer { closedir(dir) }
        let prefix = instance.shmPrefix + "."
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name.hasPrefix(prefix) && "/" + name != keeping { names.append(name) }
        }
        for n in names {
            // A name of another instance that merely shares our prefix has a
            // longer tag: only ours continue with a known object kind.
            let kind = n.dropFirst(prefix.count).split(separator: ".").first.map(String.init) ?? ""
            if ["gspp", "pup", "set", "rbuff"].contains(kind) { shm_unlink("/" + n) }
        }
    }

    /// Removes every pool (irmd exit).
    func destroyPools() {
        for uid in userPools.withLock({ Array($0.keys) }) { destroyUserPool(uid: uid) }
        PacketPool.destroy(name: instance.globalPoolName)
    }
}
