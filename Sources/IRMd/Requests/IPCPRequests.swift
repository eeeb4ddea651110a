#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// The longest IPCP, layer or name string (`NAME_SIZE`).
let maxNameLength = 255

extension IRMDaemon {
    /// IRM_CREATE_IPCP: spawn the daemon and wait until it reports BOOT.
    func createIPCP(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasIpcpInfo, .invalid, "Create IPCP request without IPCP info.")
        let info = m.ipcpInfo
        try require(!info.name.isEmpty && info.name.utf8.count <= maxNameLength, .invalid,
                    "Invalid IPCP name length \(info.name.utf8.count).")
        guard let type = IPCPType(rawValue: info.type) else {
            log.error("Invalid IPCP type \(info.type).")
            throw OuroError.ipcpType
        }
        guard let path = Spawner.ipcpExecutable(type.executable) else {
            log.error("IPCP type not installed.")
            throw OuroError.ipcpType
        }
        var argv = [path, String(getpid()), info.name]
        if logToSyslog { argv.append("1") }
        let deadline = Deadline.after(milliseconds: bootTimeoutMilliseconds)
        let pid: Int32
        do {
            pid = try Spawner.spawn(argv: argv, environment: spawnEnvironment())
        } catch {
            log.error("Failed to spawn IPCP \(info.name).")
            throw OuroError.failure
        }
        do {
            try registry.addIPCP(pid: pid, type: type, name: info.name)
        } catch {
            log.error("Failed to create IPCP entry.")
            kill(pid, SIGKILL)
            throw OuroError.failure
        }
        guard registry.waitForBoot(pid: pid, deadline: deadline) else {
            log.error("IPCP \(pid) failed to boot.")
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            registry.removeProcess(pid: pid)
            unlink(instance.ipcpSocketPath(pid: pid))
            throw OuroError.failure
        }
        log.info("Created IPCP \(pid).")
        return IRMDaemon.reply()
    }

    /// The environment of spawned IPCPs and programs: only what joins them to this
    /// instance (the reference passes an empty environment).
    func spawnEnvironment() -> [String] {
        var env = instance.spawnEnvironment
        if let level = getenv("OUROBOROS_LOG_LEVEL") { env.append("OUROBOROS_LOG_LEVEL=" + String(cString: level)) }
        // The Ethernet IPCPs' data-path knobs, for measurements (IPCPEth.EthernetSettings).
        for knob in ["OUROBOROS_ETH_RX", "OUROBOROS_ETH_TX_BATCH"] {
            if let value = getenv(knob) { env.append(knob + "=" + String(cString: value)) }
        }
        // Whether ipcpd-unicast's packet schedulers ask for real-time priority.
        if let realtime = getenv("OUROBOROS_IPCP_REALTIME") {
            env.append("OUROBOROS_IPCP_REALTIME=" + String(cString: realtime))
        }
        return env
    }

    /// IPCP_CREATE_R: a new IPCP reports that it booted.
    func ipcpCreateR(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasIpcpInfo, .invalid, "IPCP announcement without IPCP info.")
        let pid = Int32(bitPattern: m.ipcpInfo.pid)
        do {
            try registry.ipcpCreated(pid: pid, state: IPCPState(rawValue: m.ipcpInfo.state) ?? .null)
        } catch {
            log.error("Unknown IPCP \(pid) reported its state.")
            throw OuroError.ipcp
        }
        return IRMDaemon.reply()
    }

    /// IRM_DESTROY_IPCP: SIGTERM, reap (SIGKILL after a grace period), forget.
    func destroyIPCP(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.pid > 0, .invalid, "Destroy IPCP request without a valid pid.")
        let pid = m.pid
        guard kill(pid, SIGTERM) == 0 else {
            log.error("Failed to destroy IPCP: \(OuroError.errno).")
            throw OuroError.failure
        }
        terminate(pid: pid, graceMilliseconds: 5000)
        cleanUp(pid: pid)
        log.info("Destroyed IPCP \(pid).")
        return IRMDaemon.reply()
    }

    /// Waits for `pid` to end after a SIGTERM, then SIGKILLs it; reaps it when it is our child.
    func terminate(pid: Int32, graceMilliseconds: Int) {
        let deadline = Deadline.after(milliseconds: graceMilliseconds)
        while !deadline.hasPassed {
            if Spawner.reap(pid) != nil || Spawner.isDead(pid) { break }
            usleep(10_000)
        }
        if Spawner.reap(pid) == nil && !Spawner.isDead(pid) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// IRM_LIST_IPCPS.
    func listIPCPs() -> irm_msg {
        var r = IRMDaemon.reply()
        r.ipcps = registry.ipcpList().map { e in
            var l = ipcp_list_msg()
            l.pid = UInt32(bitPattern: e.pid)
            l.type = e.type.rawValue
            l.name = e.name
            l.layer = e.layer
            l.hashAlgo = e.hashAlgorithm.rawValue
            return l
        }
        return r
    }

    /// IRM_BOOTSTRAP_IPCP.
    func bootstrapIPCP(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.hasConf, .invalid, "Bootstrap request without pid or configuration.")
        let ipcp = try registeredIPCP(m.pid, "Could not find IPCP \(m.pid).")
        var conf = m.conf
        try require(conf.layerInfo.name.utf8.count <= maxNameLength && !conf.layerInfo.name.isEmpty, .invalid,
                    "Invalid layer name.")
        if ipcp.type == .udp4 || ipcp.type == .udp6 { conf.layerInfo.dirHashAlgo = HashAlgorithm.md5.rawValue }
        var req = ipcp_msg()
        req.code = .ipcpBootstrap
        req.conf = conf
        let reply: ipcp_msg
        do {
            reply = try ipcps.call(req, to: ipcp.pid)
        } catch let e {
            log.error("Could not bootstrap IPCP \(ipcp.pid): \(e).")
            throw e
        }
        try storeLayer(reply, pid: ipcp.pid)
        log.info("Bootstrapped IPCP \(ipcp.pid) in layer \(reply.layerInfo.name).")
        return IRMDaemon.reply()
    }

    /// IRM_ENROLL_IPCP.
    func enrollIPCP(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.hasDst, .invalid, "Enroll request without pid or destination.")
        try registeredIPCP(m.pid, "Could not find IPCP.")
        var req = ipcp_msg()
        req.code = .ipcpEnroll
        req.dst = m.dst
        let reply: ipcp_msg
        do {
            reply = try ipcps.call(req, to: m.pid)
        } catch let e {
            log.error("Could not enroll IPCP \(m.pid): \(e).")
            throw e
        }
        try storeLayer(reply, pid: m.pid)
        log.info("Enrolled IPCP \(m.pid) in layer \(reply.layerInfo.name).")
        return IRMDaemon.reply()
    }

    private func storeLayer(_ reply: ipcp_msg, pid: Int32) throws(OuroError) {
        guard reply.hasLayerInfo, let algo = HashAlgorithm(rawValue: reply.layerInfo.dirHashAlgo) else {
            log.error("Failed to set layer info for IPCP.")
            throw OuroError.ipcp
        }
        do {
            try registry.setLayer(pid: pid, name: reply.layerInfo.name, hash: algo)
        } catch {
            log.error("Failed to set layer info for IPCP.")
            throw OuroError.ipcp
        }
    }

    /// IRM_CONNECT_IPCP / IRM_DISCONNECT_IPCP (unicast and broadcast IPCPs only).
    func connectIPCP(_ m: irm_msg, connect: Bool) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.hasDst && m.hasComp, .invalid, "Connect request without pid, dst or component.")
        let ipcp = try registeredIPCP(m.pid, "No such IPCP.")
        guard ipcp.type == .unicast || ipcp.type == .broadcast else {
            log.error(connect ? "Cannot establish connections for this IPCP type."
                              : "Cannot tear down connections for this IPCP type.")
            throw OuroError.ipcp
        }
        var req = ipcp_msg()
        req.code = connect ? .ipcpConnect : .ipcpDisconnect
        req.dst = m.dst
        req.comp = m.comp
        req.pid = m.pid
        if connect { req.qosspec = m.hasQosspec ? m.qosspec : QoSSpec.raw.message }
        do {
            _ = try ipcps.call(req, to: m.pid)
        } catch {
            log.error(connect ? "Could not connect IPCP \(m.pid) to \(m.dst)." : "Could not disconnect IPCP.")
            throw OuroError.permission
        }
        if connect {
            log.info("Established \(m.comp) connection between IPCP \(m.pid) and \(m.dst).")
        } else {
            log.info("\(m.comp) connection between IPCP \(m.pid) and \(m.dst) torn down.")
        }
        return IRMDaemon.reply()
    }

    /// IRM_IPCP_INFO (our extension, `irm ipcp info`): relays the section
    /// named in `comp` to the IPCP `pid` as IPCP_INFO and returns the IPCP's
    /// rendered text in `comp`.
    func ipcpInfo(_ m: irm_msg) throws(OuroError) -> irm_msg {
        try require(m.hasPid && m.hasComp, .invalid, "Info request without pid or section.")
        try registeredIPCP(m.pid, "No such IPCP.")
        var req = ipcp_msg()
        req.code = .ipcpInfo
        req.comp = m.comp
        let reply = try ipcps.call(req, to: m.pid)
        var r = IRMDaemon.reply()
        r.comp = reply.comp
        return r
    }
}
