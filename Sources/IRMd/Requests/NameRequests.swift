import DevKit
import Foundation

extension IRMDaemon {
    /// IRM_CREATE_NAME: an existing name is left unchanged and still succeeds.
    func createName(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasNameInfo, .invalid, "Create name request without name info.")
        let info = m.nameInfo
        try require(!info.name.isEmpty && info.name.utf8.count <= maxNameLength, .invalid,
                    "Invalid name length \(info.name.utf8.count).")
        guard let policy = LoadBalance(rawValue: info.polLb) else {
            log.error("Invalid load-balancing policy \(info.polLb) for \(info.name).")
            throw OuroError.invalid
        }
        var entry = NameEntry(name: info.name, policy: policy)
        entry.server = SecurityPaths(enc: "", crt: info.scrt, key: info.skey)
        entry.client = SecurityPaths(enc: "", crt: info.ccrt, key: info.ckey)
        if registry.createName(entry) {
            log.info("Created new name: \(info.name).")
        } else {
            log.info("Name \(info.name) already exists.")
        }
        return IRMDaemon.reply()
    }

    /// IRM_DESTROY_NAME.
    func destroyName(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasName, .invalid, "Destroy name request without a name.")
        do {
            try registry.destroyName(m.name)
        } catch {
            log.error("Failed to destroy name \(m.name).")
            throw OuroError.failure
        }
        log.info("Destroyed name: \(m.name).")
        return IRMDaemon.reply()
    }

    /// IRM_LIST_NAMES: only name and policy are meaningful; the paths go empty.
    func listNames() -> irm_msg {
        var r = IRMDaemon.reply()
        r.names = registry.nameList().map { e in
            var n = name_info_msg()
            n.name = e.name
            n.polLb = e.policy.rawValue
            n.skey = ""
            n.scrt = ""
            n.ckey = ""
            n.ccrt = ""
            return n
        }
        return r
    }

    /// IRM_REG_NAME / IRM_UNREG_NAME: the IPCP gets the name's digest in its layer.
    func registerName(_ m: irm_msg, register: Bool) throws(OuroError) -> irm_msg {
        try require(m.hasName && m.hasPid, .invalid, "Registration request without name or pid.")
        guard registry.name(m.name) != nil else {
            log.error("Failed to get name \(m.name).")
            throw OuroError.name
        }
        let ipcp = try registeredIPCP(m.pid, "Failed to get IPCP \(m.pid).")
        let hash = ipcp.hashAlgorithm.digest(name: m.name)
        var req = ipcp_msg()
        req.code = register ? .ipcpReg : .ipcpUnreg
        req.hash = Data(hash)
        do {
            _ = try ipcps.call(req, to: ipcp.pid)
        } catch let e {
            if register {
                log.error("Could not register \(hash.hashPrefix) with IPCP \(ipcp.pid).")
            } else {
                log.error("Could not unregister \(m.name) with IPCP \(ipcp.pid).")
            }
            throw e
        }
        if register {
            log.info("Registered \(m.name) with IPCP \(ipcp.pid) as \(hash.hashPrefix).")
        } else {
            log.info("Unregistered \(m.name) from \(ipcp.pid).")
        }
        return IRMDaemon.reply()
    }
}
