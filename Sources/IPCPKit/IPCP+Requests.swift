#if canImport(Glibc)
import Glibc
#endif
import DevKit

/// irmd's requests (ipcps.md §2.4): preconditions in the reference's order
/// (operation supported, then state), then the work.
extension IPCP {
    /// Handles one encoded `ipcp_msg` and returns the encoded reply; a request
    /// that does not decode is logged and dropped (nil: no reply).
    public func handle(request bytes: [UInt8]) -> [UInt8]? {
        let request: ipcp_msg
        do {
            request = try ipcp_msg(serializedBytes: bytes)
        } catch {
            log.error("Failed to decode a request of \(bytes.count) bytes.")
            return nil
        }
        do {
            return try process(request).serializedBytes()
        } catch {
            log.error("Failed to pack reply message")
            return nil
        }
    }

    /// Processes one request and builds the reply: `code` IPCP_REPLY, `result`,
    /// and `layer_info` after a successful bootstrap or enrollment.
    public func process(_ request: ipcp_msg) -> ipcp_msg {
        var reply = ipcp_msg()
        reply.code = .ipcpReply
        do throws(OuroError) {
            switch request.code {
            case .ipcpBootstrap:
                reply.layerInfo = try bootstrap(request).message
            case .ipcpEnroll:
                reply.layerInfo = try enroll(request).message
            case .ipcpConnect:
                try connect(request)
            case .ipcpDisconnect:
                try disconnect(request)
            case .ipcpReg:
                try reg(request)
            case .ipcpUnreg:
                try unreg(request)
            case .ipcpQuery:
                try query(request)
            case .ipcpFlowAlloc:
                try flowAlloc(request)
            case .ipcpFlowJoin:
                try flowJoin(request)
            case .ipcpFlowAllocResp:
                try flowAllocResp(request)
            case .ipcpFlowDealloc:
                try flowDealloc(request)
            case .ipcpInfo:
                reply.comp = try info(request)
            case .ipcpReply:
                log.error("Unknown message code: \(request.code.rawValue).")
                throw OuroError.failure
            }
            reply.result = 0
        } catch {
            reply.result = error.result
        }
        return reply
    }

    private func supported(_ operation: IPCPOperation, _ failure: String) throws(OuroError) -> any IPCPOperations {
        guard let ops = operations, ops.supportedOperations.contains(operation) else {
            log.error("\(failure): operation unsupported.")
            throw OuroError.notSupported
        }
        return ops
    }

    private func require(_ needed: IPCPState, _ failure: String) throws(OuroError) {
        let current = state
        guard current == needed else {
            log.error("\(failure): IPCP in state <\(current.logName)>, need <\(needed.logName)>.")
            throw OuroError.ipcpState
        }
    }

    /// The request's hash, which must be as long as the layer's digests.
    private func hash(of request: ipcp_msg) throws(OuroError) -> [UInt8] {
        let hash = [UInt8](request.hash)
        if let length = hashLength, hash.count != length {
            log.error("Hash of \(hash.count) bytes, the layer uses \(length).")
            throw OuroError.invalid
        }
        return hash
    }

    private func bootstrap(_ request: ipcp_msg) throws(OuroError) -> LayerInfo {
        log.info("Bootstrapping...")
        let ops = try supported(.bootstrap, "Failed to Bootstrap")
        try require(.boot, "Failed to bootstrap")
        var conf = request.conf
        guard request.hasConf, conf.ipcpType == type.rawValue else {
            log.error("Failed to bootstrap: no configuration for a \(type.name) IPCP.")
            throw OuroError.invalid
        }
        switch type {
        case .udp4, .udp6: conf.layerInfo.dirHashAlgo = HashAlgorithm.md5.rawValue
        case .broadcast: conf.layerInfo.dirHashAlgo = HashAlgorithm.sha3_256.rawValue
        default: break
        }
        guard HashAlgorithm(rawValue: conf.layerInfo.dirHashAlgo) != nil else {
            log.error("Failed to bootstrap: unknown hash algorithm \(conf.layerInfo.dirHashAlgo).")
            throw OuroError.invalid
        }
        let layer: LayerInfo
        do throws(OuroError) {
            layer = try LayerInfo(ops.bootstrap(conf).layerInfo)
        } catch {
            log.error("Failed to bootstrap IPCP.")
            throw error
        }
        join(layer)
        log.info("Finished bootstrapping in \(layer.name).")
        logLayer(layer)
        return layer
    }

    private func enroll(_ request: ipcp_msg) throws(OuroError) -> LayerInfo {
        log.info("Enrolling with \(request.dst)...")
        let ops = try supported(.enroll, "Failed to enroll")
        try require(.boot, "Failed to enroll")
        let layer: LayerInfo
        do throws(OuroError) {
            layer = try LayerInfo(ops.enroll(request.dst))
        } catch {
            log.error("Failed to enroll IPCP.")
            throw error
        }
        join(layer)
        log.info("Finished enrolling with \(request.dst) in layer \(layer.name).")
        logLayer(layer)
        return layer
    }

    private func join(_ layer: LayerInfo) {
        core.withLock {
            $0.layer = layer
            $0.state = .operational
        }
        changed.broadcast()
    }

    private func logLayer(_ layer: LayerInfo) {
        log.info("  type: \(type.name)")
        log.info("  hash: \(layer.hashAlgorithm.logName) [\(layer.hashAlgorithm.digestLength) bytes]")
    }

    private func connect(_ request: ipcp_msg) throws(OuroError) {
        log.info("Connecting \(request.comp) to \(request.dst)...")
        let ops = try supported(.connect, "Failed to connect")
        try ops.connect(request.dst, component: request.comp, qos: QoSSpec(request.qosspec))
        log.info("Finished connecting.")
    }

    private func disconnect(_ request: ipcp_msg) throws(OuroError) {
        log.info("Disconnecting \(request.comp) from \(request.dst)...")
        let ops = try supported(.disconnect, "Failed to disconnect")
        try ops.disconnect(request.dst, component: request.comp)
        log.info("Finished disconnecting \(request.comp) from \(request.dst).")
    }

    private func reg(_ request: ipcp_msg) throws(OuroError) {
        let hash = [UInt8](request.hash)
        log.info("Registering \(hash.hashPrefix)...")
        let ops = try supported(.reg, "Failed to register")
        try ops.reg(try self.hash(of: request))
        log.info("Finished registering \(hash.hashPrefix).")
    }

    private func unreg(_ request: ipcp_msg) throws(OuroError) {
        let hash = [UInt8](request.hash)
        log.info("Unregistering \(hash.hashPrefix)...")
        let ops = try supported(.unreg, "Failed to unregister")
        try ops.unreg(try self.hash(of: request))
        log.info("Finished unregistering \(hash.hashPrefix).")
    }

    private func query(_ request: ipcp_msg) throws(OuroError) {
        let ops = try supported(.query, "Failed to query")
        let current = state
        guard current == .operational else {
            log.debug("Failed to query: IPCP in state <\(current.logName)>, need <operational>.")
            throw OuroError.ipcpState
        }
        try ops.query(try hash(of: request))
    }

    private func flowAlloc(_ request: ipcp_msg) throws(OuroError) {
        let flowID = request.flowID
        let hashPrefix = [UInt8](request.hash).hashPrefix
        log.info("Allocating flow \(flowID) for \(request.pid) to \(hashPrefix).")
        let ops = try supported(.flowAlloc, "Flow allocation failed")
        try require(.operational, "Failed to allocate flow")
        let hash = try self.hash(of: request)
        try addFlow(flowID: flowID, pid: request.pid, uid: request.uid, onFailure: OuroError.flowDown)
        do throws(OuroError) {
            try ops.flowAlloc(flowID: flowID, pid: request.pid, uid: request.uid, hash: hash,
                              qos: QoSSpec(request.qosspec), pk: [UInt8](request.pk))
        } catch {
            flows.remove(flowID)
            throw error
        }
        log.info("Finished allocating flow \(flowID) to \(hashPrefix).")
    }

    private func flowJoin(_ request: ipcp_msg) throws(OuroError) {
        let flowID = request.flowID
        let hashPrefix = [UInt8](request.hash).hashPrefix
        log.info("Joining layer \(hashPrefix).")
        let ops = try supported(.flowJoin, "Failed to join")
        try require(.operational, "Failed to join")
        let hash = try self.hash(of: request)
        try addFlow(flowID: flowID, pid: request.pid, uid: request.uid, onFailure: OuroError.failure)
        do throws(OuroError) {
            try ops.flowJoin(flowID: flowID, pid: request.pid, uid: request.uid, hash: hash)
        } catch {
            flows.remove(flowID)
            throw error
        }
        log.info("Finished joining layer \(hashPrefix).")
    }

    /// The N+1 end of a flow irmd asked for (the reference's np1_flow_alloc).
    private func addFlow(flowID: Int32, pid: Int32, uid: UInt32, onFailure: OuroError) throws(OuroError) {
        do throws(OuroError) {
            let flow = try dataPath.map(flowID: flowID, peer: pid, uid: uid)
            do throws(OuroError) {
                try flows.add(N1Flow(flowID: flowID, pid: pid, uid: uid, flow: flow))
            } catch {
                flow?.release(expectingFlowID: Int(flowID))
                throw error
            }
        } catch {
            log.error("Failed allocating n + 1 fd on flow_id \(flowID): \(error.result)")
            throw onFailure
        }
    }

    private func flowAllocResp(_ request: ipcp_msg) throws(OuroError) {
        let flowID = request.flowID
        log.info("Responding \(request.response) to alloc on flow_id \(flowID).")
        let ops = try supported(.flowAllocResp, "Failed to respond on flow \(flowID)")
        try require(.operational, "Failed to respond to flow \(flowID)")
        // An accepted flow may still be on its way into the table: the reply
        // to FLOW_REQ_ARR and this request race.
        let flow = request.response == 0
            ? flows.waitFor(flowID, until: .after(milliseconds: IPCP.assignTimeoutMilliseconds))
            : flows.flow(flowID)
        guard let flow else {
            log.warning("Flow_id \(flowID) is not known.")
            throw OuroError.failure
        }
        if request.uid != 0 { flows.setUID(request.uid, of: flowID) }
        if request.response == 0 && flow.flow == nil {
            do throws(OuroError) {
                if let mapped = try dataPath.map(flowID: flowID, peer: flow.pid, uid: request.uid) {
                    flows.setFlow(mapped, of: flowID)
                }
            } catch {
                log.error("Failed to map flow_id \(flowID): \(error).")
                throw OuroError.failure
            }
        }
        try ops.flowAllocResp(flowID: flowID, pid: flow.pid, uid: request.uid, response: request.response,
                              pk: [UInt8](request.pk))
        log.info("Finished responding 0 to allocation request.")
    }

    private func flowDealloc(_ request: ipcp_msg) throws(OuroError) {
        let flowID = request.flowID
        log.info("Deallocating flow \(flowID).")
        let ops = try supported(.flowDealloc, "Failed to dealloc")
        try require(.operational, "Failed to dealloc")
        // irmd's linger time: the flow stays for retransmissions (§2.4).
        if request.timeoSec > 0 { sleep(request.timeoSec) }
        guard flows.flow(flowID) != nil else {
            log.warning("Could not deallocate flow_id \(flowID).")
            throw OuroError.failure
        }
        try ops.flowDealloc(flowID: flowID)
        log.info("Finished deallocating flow \(flowID).")
    }

    /// How long FLOW_ALLOC_RESP waits for an accepted flow to appear.
    static let assignTimeoutMilliseconds = 1000
}
