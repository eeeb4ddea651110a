#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Logging
import SwiftProtobuf

/// irmd: owns the registry, serves irm.sock, spawns and supervises IPCPs.
final class IRMDaemon: Sendable {
    let instance: Instance
    let registry: Registry
    let ipcps: IPCPClient
    let oap: OAP
    /// The data path's shared-memory objects.
    let shm: SharedObjects
    /// IPCPs log to syslog when irmd does.
    let logToSyslog: Bool
    let log = Logger(label: "irmd")
    let configLog = Logger(label: "irmd/configuration")
    /// How long a new IPCP may take to report BOOT. The reference allows 500 ms;
    /// we allow more so a loaded machine does not fail IPCP creation.
    let bootTimeoutMilliseconds = 3000
    /// Whether flows between local processes may skip the IPCPs (the
    /// reference's DISABLE_DIRECT_IPC build option, here the environment
    /// variable OUROBOROS_DISABLE_DIRECT_IPC=1).
    let directIPC = getenv("OUROBOROS_DISABLE_DIRECT_IPC").map { String(cString: $0) != "1" } ?? true

    init(instance: Instance, logToSyslog: Bool, securityDirectory: String, trust: TrustStore) throws(OuroError) {
        self.instance = instance
        self.oap = OAP(securityDirectory: securityDirectory, trust: trust)
        self.shm = try SharedObjects(instance: instance)
        self.registry = Registry(securityDirectory: securityDirectory)
        self.ipcps = IPCPClient(instance: instance)
        self.logToSyslog = logToSyslog
    }

    /// Decodes and handles one request from irm.sock; nil means: close without reply.
    func handle(request bytes: [UInt8], peer: ControlServer.Peer) -> [UInt8]? {
        let msg: irm_msg
        do {
            msg = try irm_msg(serializedBytes: bytes)
        } catch {
            log.error("Failed to unpack request message (\(bytes.count) bytes from pid \(peer.pid)): \(error).")
            return nil
        }
        guard let reply = dispatch(msg, peer: peer) else { return nil }
        return try? reply.serializedBytes()
    }

    /// The reply to `msg`, or nil when the reference sends none (-EPIPE, -EIRMD).
    func dispatch(_ msg: irm_msg, peer: ControlServer.Peer) -> irm_msg? {
        do {
            var reply = try route(msg, peer: peer)
            reply.code = .irmReply
            if !reply.hasResult { reply.result = 0 }
            return reply
        } catch let e {
            if e == .pipe || e == .irmd { return nil }
            return IRMDaemon.reply(e.result)
        }
    }

    private func route(_ m: irm_msg, peer: ControlServer.Peer) throws(OuroError) -> irm_msg {
        switch m.code {
        case .irmCreateIpcp: return try createIPCP(m)
        case .ipcpCreateR: return try ipcpCreateR(m)
        case .irmDestroyIpcp: return try destroyIPCP(m)
        case .irmListIpcps: return listIPCPs()
        case .irmBootstrapIpcp: return try bootstrapIPCP(m)
        case .irmEnrollIpcp: return try enrollIPCP(m)
        case .irmConnectIpcp: return try connectIPCP(m, connect: true)
        case .irmDisconnectIpcp: return try connectIPCP(m, connect: false)
        case .irmBindProgram: return try bindProgram(m)
        case .irmUnbindProgram: return try unbindProgram(m)
        case .irmProcAnnounce: return try announce(m, peer: peer)
        case .irmProcExit: return procExit(m)
        case .irmBindProcess: return try bindProcess(m)
        case .irmUnbindProcess: return try unbindProcess(m)
        case .irmCreateName: return try createName(m)
        case .irmDestroyName: return try destroyName(m)
        case .irmListNames: return listNames()
        case .irmRegName: return try registerName(m, register: true)
        case .irmUnregName: return try registerName(m, register: false)
        case .irmFlowAlloc: return try flowAlloc(m)
        case .irmFlowAccept: return try flowAccept(m)
        case .irmFlowDealloc: return try flowDealloc(m)
        case .ipcpFlowReqArr: return try flowRequestArrived(m, peer: peer)
        case .ipcpFlowAllocReply: return try flowAllocReply(m)
        case .ipcpFlowDealloc: return try ipcpFlowDealloc(m, peer: peer)
        case .irmFlowJoin: return try flowJoin(m)
        case .irmIpcpInfo: return try ipcpInfo(m)
        case .irmReply:
            log.error("Don't know that message code.")
            throw OuroError.failure
        }
    }

    /// An IRM_REPLY carrying `result`.
    static func reply(_ result: Int32 = 0) -> irm_msg {
        var r = irm_msg()
        r.code = .irmReply
        r.result = result
        return r
    }

    /// Fails with `error` unless `condition` holds.
    func require(_ condition: Bool, _ error: OuroError, _ message: @autoclosure () -> String) throws(OuroError) {
        if !condition {
            log.error("\(message())")
            throw error
        }
    }

    /// The registered IPCP with process id `pid`; otherwise logs `message`
    /// and fails with `EIPCP`.
    @discardableResult
    func registeredIPCP(_ pid: Int32, _ message: @autoclosure () -> String) throws(OuroError) -> IPCPEntry {
        guard let ipcp = registry.ipcp(pid: pid) else {
            log.error("\(message())")
            throw OuroError.ipcp
        }
        return ipcp
    }
}
