import DevKit

/// An IPCP known to irmd (spec host.md §3.1).
struct IPCPEntry: Sendable, Equatable {
    let pid: Int32
    let type: IPCPType
    let name: String
    var state: IPCPState = .initial
    var layer: String = notEnrolledLayer
    var hashAlgorithm: HashAlgorithm = .sha3_224

    var isEnrolled: Bool { layer != notEnrolledLayer }
}

/// Credential and configuration paths of a name, server and client side.
struct SecurityPaths: Sendable, Equatable {
    var enc = ""
    var crt = ""
    var key = ""
}

/// A name applications bind to and register in layers.
struct NameEntry: Sendable, Equatable {
    let name: String
    var policy: LoadBalance
    var server = SecurityPaths()
    var client = SecurityPaths()
    /// Auto-start argument vectors, most recently bound last.
    var autostart: [[String]] = []
    /// Pids bound to the name.
    var processes: [Int32] = []
    /// Pids blocked in accept for this name, in service order (duplicates allowed).
    var active: [Int32] = []

    /// Fills empty credential paths with the reference's defaults.
    mutating func applyDefaultPaths(securityDirectory: String) {
        func fill(_ p: inout SecurityPaths, _ side: String) {
            let dir = "\(securityDirectory)/\(side)/\(name)"
            if p.enc.isEmpty { p.enc = dir + "/enc.conf" }
            if p.crt.isEmpty { p.crt = dir + "/crt.pem" }
            if p.key.isEmpty { p.key = dir + "/key.pem" }
        }
        fill(&server, "server")
        fill(&client, "client")
    }
}

/// A program bound to names: processes announced later with its basename are
/// bound to those names.
struct ProgramEntry: Sendable, Equatable {
    let name: String
    let path: String
    var names: [String] = []
}

/// An announced process.
struct ProcessEntry: Sendable, Equatable {
    let pid: Int32
    let program: String
    let uid: UInt32
    let gid: UInt32
    var names: [String] = []
}

/// A flow record (spec host.md §3.1, §3.3).
struct FlowEntry: Sendable, Equatable {
    let id: Int
    var nPid: Int32
    var n1Pid: Int32 = 0
    var uid: UInt32 = 0
    var mpl: UInt32 = 0
    var qos: QoSSpec
    var state: FlowState = .initial
    var response: Int32 = 0
    var requestData: [UInt8] = []
    var responseData: [UInt8]?
    /// The name the flow was accepted for.
    var name: String?
    /// A flow between two applications without an IPCP.
    var direct = false
    /// The rings of an accepted flow exist: the acceptor may map it.
    var ringsReady = false
    /// For direct flows: the endpoints that have deallocated.
    var gone: [Int32] = []
}
