#if canImport(Glibc)
import Glibc
#endif
import DevKit
import IPCPCommon
import IPCPKit
import Foundation
import Synchronization
@testable import IPCPUnicast

/// A forwarding table with no routes.
final class NoRoutes: ForwardingTable {
    func nextHop(_ destination: Address) -> Flow? { nil }
    func replace(with entries: [Address: [Flow]]) {}
    func flowStateChanged(_ flow: Flow, up: Bool) {}
    var entries: [Address: [Flow]] { [:] }
}

/// Records what components send instead of sending it.
final class CapturingSender: PacketSender {
    struct Sent: Equatable {
        let payload: [UInt8]
        let destination: Address
        let cube: QoSCube
        let eid: UInt64
    }

    let address: Address
    private let sent = Mutex<[Sent]>([])
    private let signal = ConditionSignal()

    init(address: Address) { self.address = address }

    func send(_ payload: [UInt8], to destination: Address, cube: QoSCube, eid: UInt64) throws(OuroError) {
        sent.withLock { $0.append(Sent(payload: payload, destination: destination, cube: cube, eid: eid)) }
        signal.broadcast()
    }

    var all: [Sent] { sent.withLock { $0 } }

    /// Waits until `count` packets were sent.
    func waitFor(_ count: Int) -> [Sent] {
        signal.wait(until: .after(milliseconds: 5000)) { all.count >= count }
        return all
    }
}

/// Records the packets the DT delivers to a component or to N+1 endpoints.
final class RecordingReceiver: DTComponent, FlowEndpointDelivery {
    private let packets = Mutex<[([UInt8], UInt64?, UInt8?)]>([])

    func receive(_ packet: [UInt8]) { packets.withLock { $0.append((packet, nil, nil)) } }

    func deliver(_ payload: UnsafeRawBufferPointer, eid: UInt64, ecn: UInt8) {
        packets.withLock { $0.append(([UInt8](payload), eid, ecn)) }
    }

    var received: [([UInt8], UInt64?, UInt8?)] { packets.withLock { $0 } }
}

/// A directory with fixed entries.
final class StaticDirectory: Directory {
    private let entries: Mutex<[[UInt8]: Address]>

    init(_ entries: [[UInt8]: Address] = [:]) { self.entries = Mutex(entries) }

    func start() {}
    func stop() {}
    func register(_ hash: [UInt8]) throws(OuroError) {}
    func unregister(_ hash: [UInt8]) throws(OuroError) {}
    func query(_ hash: [UInt8]) -> Address? { entries.withLock { $0[hash] } }
    func receive(_ packet: [UInt8]) {}
    func info(_ section: InfoSection) -> InfoNode? { nil }
}

/// A fresh private directory under /tmp.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/ipcpunicast.XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed")
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Plays irmd of a private instance for the IPCP's upcalls: records every
/// request and answers FLOW_REQ_ARR with flow ids 100, 101, ... (acceptor pid
/// 4242), everything else with result 0.
final class FakeIRMd: Sendable {
    let directory: String
    let instance: Instance
    private let server: ControlServer
    private let received = Mutex<[irm_msg]>([])
    private let signal = ConditionSignal()
    private let nextFlow = Mutex<UInt32>(100)

    init() throws {
        directory = makeTemporaryDirectory()
        instance = Instance(environment: directory)
        server = try ControlServer(path: instance.irmSocketPath, minWorkers: 2)
        server.start(handler: { [weak self] bytes, _ in
            guard let self, let request = try? irm_msg(serializedBytes: bytes) else { return nil }
            var reply = irm_msg()
            reply.code = .irmReply
            reply.result = 0
            if request.code == .ipcpFlowReqArr {
                var info = request.flowInfo
                info.id = nextFlow.withLock { id in defer { id += 1 }; return id }
                info.nPid = 4242
                reply.flowInfo = info
            }
            received.withLock { $0.append(request) }
            signal.broadcast()
            return try? reply.serializedBytes()
        }, onReject: { _ in })
    }

    func requests(_ code: irm_msg_code) -> [irm_msg] {
        received.withLock { list in list.filter { $0.code == code } }
    }

    /// Waits until a request with this code arrived.
    func waitFor(_ code: irm_msg_code) -> irm_msg? {
        var found: irm_msg?
        signal.wait(until: .after(milliseconds: 5000)) {
            found = requests(code).last
            return found != nil
        }
        return found
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
