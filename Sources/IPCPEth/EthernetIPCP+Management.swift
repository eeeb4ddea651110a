import DevKit
import IPCPKit

/// The management thread (ipcps.md §5.4): serves the queued management
/// messages in arrival order and watches the interface's state.
extension EthernetIPCP {
    func manage(_ link: EthernetLink) {
        var nextCheck = Deadline.after(milliseconds: Self.linkCheckInterval)
        while isRunning {
            if let item = management.pop(until: .after(milliseconds: 100)) {
                handle(item, link: link)
            }
            if nextCheck.hasPassed {
                deviceState(link.device.name, up: EthernetDevice.isUp(link.device.name) ?? false)
                nextCheck = .after(milliseconds: Self.linkCheckInterval)
            }
        }
    }

    private func handle(_ item: ManagementQueue.Item, link: EthernetLink) {
        let message: ManagementMessage
        do {
            message = try item.payload.withUnsafeBytes { (b) throws(ManagementMessage.ParseError) in
                try ManagementMessage(parsing: b, layout: link.framing.layout)
            }
        } catch {
            drops.count(.managementMalformed)
            return
        }
        guard let digestLength = ipcp.hashLength else { return }
        switch message.code {
        case .flowRequest:
            guard message.body.count >= digestLength, message.sourceEndpoint != 0 else {
                drops.count(.managementMalformed)
                return
            }
            workers.submit { [self] in flowRequest(message, from: item.source, digestLength: digestLength) }
        case .flowReply:
            flowReply(message, from: item.source)
        case .nameQueryRequest:
            guard message.body.count >= digestLength else {
                drops.count(.managementMalformed)
                return
            }
            let digest = Array(message.body.prefix(digestLength))
            guard registry.contains(digest) else { return }
            do {
                try link.send(ManagementMessage(code: .nameQueryReply, body: digest), to: item.source)
            } catch {
                log.error("Failed to send name query reply: \(error).")
            }
        case .nameQueryReply:
            guard message.body.count >= digestLength else {
                drops.count(.managementMalformed)
                return
            }
            directory.add(Array(message.body.prefix(digestLength)), address: item.source)
            learned.broadcast()
        }
    }

    /// An allocation request: passed to irmd only for a name registered here
    /// (anything else is ignored, as in the reference).
    private func flowRequest(_ message: ManagementMessage, from source: MACAddress, digestLength: Int) {
        let digest = Array(message.body.prefix(digestLength))
        guard registry.contains(digest) else { return }
        let pk = Array(message.body.dropFirst(digestLength))
        do {
            let flowID = try ipcp.waitFlowReqArr(hash: digest, qos: message.qos, mpl: Self.mpl, pk: pk) { id in
                flows.addIncoming(id, from: source, endpoint: message.sourceEndpoint)
            }
            log.info("Flow request from \(source) arrived on flow \(flowID).")
        } catch {
            log.error("Failed to get a flow for a request from \(source): \(error).")
        }
    }

    /// The answer to an allocation we started; only accepted from the MAC we
    /// asked, for a request still unanswered.
    private func flowReply(_ message: ManagementMessage, from source: MACAddress) {
        let accepted = message.response == 0
        if accepted && !validRemoteEndpoint(message.sourceEndpoint) {
            drops.count(.managementMalformed)
            return
        }
        guard let f = flows.answer(local: message.destinationEndpoint, from: source,
                                   remote: accepted ? message.sourceEndpoint : nil) else {
            drops.count(.unknownEndpoint)
            return
        }
        if !accepted {
            flows.remove(f.flowID)
            ipcp.flows.remove(f.flowID)?.releaseDataPath()
        }
        do {
            try ipcp.flowAllocReply(flowID: f.flowID, response: message.response, mpl: Self.mpl, pk: message.body)
        } catch {
            log.error("Failed to pass the reply for flow \(f.flowID) to the IRMd: \(error).")
        }
    }

    private func validRemoteEndpoint(_ endpoint: UInt16) -> Bool {
        kind == .llc ? SAPTable.range.contains(endpoint) : endpoint != 0
    }

    /// The interface is `up` (from polling or netlink): on a change, logs it
    /// and marks the flows down or up.
    func deviceState(_ name: String, up: Bool) {
        let changed = deviceUp.withLock { was in
            defer { was = up }
            return was != up
        }
        guard changed else { return }
        if up {
            log.info("Device \(name) is up.")
        } else {
            log.error("Device \(name) went down\(EthernetDevice.isUp(name) == nil ? " (removed)" : "").")
        }
        for f in flows.all where f.active {
            try? f.flow?.setFlags(up ? .default : [.default, .down])
        }
    }
}
