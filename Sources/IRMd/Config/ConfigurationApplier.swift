import DevKit
import Foundation

extension IRMDaemon {
    /// Applies an irmd.conf in file order (spec host.md §8.4), through the same
    /// request handlers `irm` reaches. The first failure stops it.
    func apply(_ configuration: IRMdConfiguration) throws(OuroError) {
        let log = self.configLog
        for w in configuration.warnings { log.error("\(w)") }
        for item in configuration.items {
            switch item {
            case .name(let n):
                try applyName(n)
            case .ipcp(let i):
                try applyIPCP(i)
            }
        }
    }

    private func applyName(_ n: IRMdConfiguration.NameItem) throws(OuroError) {
        var entry = NameEntry(name: n.name, policy: n.policy)
        entry.server = n.server
        entry.client = n.client
        if registry.createName(entry) { configLog.info("Created new name: \(n.name).") }
        for p in n.programs {
            var m = irm_msg()
            m.code = .irmBindProgram
            m.name = n.name
            m.exec = p.argv + [""]
            m.opts = p.autostart ? 1 : 0
            _ = try bindProgram(m)
        }
    }

    private func applyIPCP(_ i: IRMdConfiguration.IPCPItem) throws(OuroError) {
        var create = irm_msg()
        create.code = .irmCreateIpcp
        var info = ipcp_info_msg()
        info.type = i.type.rawValue
        info.name = i.name
        info.pid = 0
        info.state = 0
        create.ipcpInfo = info
        _ = try createIPCP(create)
        guard let pid = registry.ipcpList().filter({ $0.name == i.name }).map(\.pid).max() else {
            throw OuroError.ipcp
        }
        if let dst = i.enrol {
            var m = irm_msg()
            m.code = .irmEnrollIpcp
            m.pid = pid
            m.dst = dst
            _ = try enrollIPCP(m)
        } else if let conf = i.bootstrap {
            var m = irm_msg()
            m.code = .irmBootstrapIpcp
            m.pid = pid
            m.conf = conf
            _ = try bootstrapIPCP(m)
        } else {
            return
        }
        if i.autobind, let layer = registry.ipcp(pid: pid)?.layer {
            for name in i.name == layer ? [layer] : [i.name, layer] {
                var m = irm_msg()
                m.code = .irmBindProcess
                m.pid = pid
                m.name = name
                _ = try bindProcess(m)
            }
        }
        for name in i.register {
            registry.createName(NameEntry(name: name, policy: .spillover))
            var m = irm_msg()
            m.code = .irmRegName
            m.name = name
            m.pid = pid
            _ = try registerName(m, register: true)
        }
        guard i.enrol != nil else { return }
        for dst in i.connect {
            for component in ["Management", "Data Transfer"] {
                var m = irm_msg()
                m.code = .irmConnectIpcp
                m.pid = pid
                m.dst = dst
                m.comp = component
                m.qosspec = QoSSpec.raw.message
                _ = try connectIPCP(m, connect: true)
            }
        }
    }
}
