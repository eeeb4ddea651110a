import DevKit

/// The IRMd requests `irm` makes, one method per library call of the reference
/// (spec host.md §2.5). A reply whose `result` is not 0 throws that error; a
/// reply without `result` throws `.irmd`.
struct IRMClient {
    let transport: any IRMTransport

    private func request(_ code: irm_msg_code, _ fill: (inout irm_msg) -> Void = { _ in }) -> irm_msg {
        var msg = irm_msg()
        msg.code = code
        fill(&msg)
        return msg
    }

    private func call(_ msg: irm_msg) throws(OuroError) {
        let reply = try transport.send(msg)
        guard reply.hasResult else { throw .irmd }
        if reply.result != 0 { throw OuroError(result: reply.result) }
    }

    func listIPCPs() throws(OuroError) -> [ipcp_list_msg] {
        try transport.send(request(.irmListIpcps)).ipcps
    }

    func listNames() throws(OuroError) -> [name_info_msg] {
        try transport.send(request(.irmListNames)).names
    }

    func createIPCP(name: String, type: IPCPType) throws(OuroError) {
        guard name.utf8.count <= nameSizeLimit else { throw .invalid }
        var info = ipcp_info_msg()
        info.type = type.rawValue
        info.name = name
        info.pid = 0
        info.state = 0
        try call(request(.irmCreateIpcp) { $0.ipcpInfo = info })
    }

    func destroyIPCP(pid: Int32) throws(OuroError) {
        guard pid >= 0 else { throw .invalid }
        try call(request(.irmDestroyIpcp) { $0.pid = pid })
    }

    func bootstrapIPCP(pid: Int32, config: ipcp_config_msg) throws(OuroError) {
        try call(request(.irmBootstrapIpcp) {
            $0.pid = pid
            $0.conf = config
        })
    }

    func enrollIPCP(pid: Int32, dst: String) throws(OuroError) {
        try call(request(.irmEnrollIpcp) {
            $0.pid = pid
            $0.dst = dst
        })
    }

    func connectIPCP(pid: Int32, dst: String, component: String, qos: QoSSpec) throws(OuroError) {
        try call(request(.irmConnectIpcp) {
            $0.pid = pid
            $0.dst = dst
            $0.qosspec = qos.message
            $0.comp = component
        })
    }

    func disconnectIPCP(pid: Int32, dst: String, component: String) throws(OuroError) {
        try call(request(.irmDisconnectIpcp) {
            $0.pid = pid
            $0.dst = dst
            $0.comp = component
        })
    }

    /// Our extension: the rendered `section` of IPCP `pid`'s information tree.
    func ipcpInfo(pid: Int32, section: String) throws(OuroError) -> String {
        let reply = try transport.send(request(.irmIpcpInfo) {
            $0.pid = pid
            $0.comp = section
        })
        guard reply.hasResult else { throw .irmd }
        if reply.result != 0 { throw OuroError(result: reply.result) }
        return reply.comp
    }

    /// `exec` is the resolved program followed by its arguments; the trailing
    /// empty-string sentinel is added here.
    func bindProgram(exec: [String], name: String, auto: Bool) throws(OuroError) {
        try call(request(.irmBindProgram) {
            $0.name = name
            $0.exec = exec + [""]
            $0.opts = auto ? bindAuto : 0
        })
    }

    func bindProcess(pid: Int32, name: String) throws(OuroError) {
        try call(request(.irmBindProcess) {
            $0.pid = pid
            $0.name = name
        })
    }

    /// Without a name, the IRMd's "unbind all names" form (the reference's
    /// library refuses it locally; we send it).
    func unbindProgram(_ program: String, name: String?) throws(OuroError) {
        try call(request(.irmUnbindProgram) {
            $0.prog = program
            if let name { $0.name = name }
        })
    }

    /// Without a name, the IRMd's "remove the whole process" form.
    func unbindProcess(pid: Int32, name: String?) throws(OuroError) {
        try call(request(.irmUnbindProcess) {
            $0.pid = pid
            if let name { $0.name = name }
        })
    }

    func createName(_ info: name_info_msg) throws(OuroError) {
        try call(request(.irmCreateName) { $0.nameInfo = info })
    }

    func destroyName(_ name: String) throws(OuroError) {
        try call(request(.irmDestroyName) { $0.name = name })
    }

    func registerName(_ name: String, pid: Int32) throws(OuroError) {
        try call(request(.irmRegName) {
            $0.pid = pid
            $0.name = name
        })
    }

    func unregisterName(_ name: String, pid: Int32) throws(OuroError) {
        try call(request(.irmUnregName) {
            $0.pid = pid
            $0.name = name
        })
    }
}

/// `NAME_SIZE`, `IPCP_NAME_SIZE`, `LAYER_NAME_SIZE`, `DEV_NAME_SIZE` (spec host.md §0.2).
let nameSizeLimit = 255
/// `NAME_PATH_SIZE`.
let namePathSizeLimit = 511
/// `BIND_AUTO`, bit 0 of `opts`.
let bindAuto: UInt32 = 1

/// A name-info message with every required field set (paths empty = defaults).
func nameInfo(_ name: String, policy: LoadBalance) -> name_info_msg {
    var info = name_info_msg()
    info.name = name
    info.polLb = policy.rawValue
    info.skey = ""
    info.scrt = ""
    info.ckey = ""
    info.ccrt = ""
    return info
}

extension ipcp_list_msg {
    /// The pid as the reference's `pid_t`.
    var processID: Int32 { Int32(bitPattern: pid) }
}
