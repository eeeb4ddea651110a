import DevKit
import Foundation

/// A DHT contact: a node ID and the address of its IPCP.
public struct DHTContact: Sendable, Hashable {
    public let id: [UInt8]
    public let address: UInt64

    public init(id: [UInt8], address: UInt64) {
        self.id = id
        self.address = address
    }
}

/// A DHT message (`dht_msg` of dht.proto, ipcps.md §6.10.3–§6.10.4), checked
/// for everything that can be checked without the node's state.
public struct DHTMessage: Sendable, Equatable {
    public enum Code: UInt32, Sendable {
        case store = 0
        case findNodeRequest = 1
        case findNodeResponse = 2
        case findValueRequest = 3
        case findValueResponse = 4
    }

    public enum Body: Sendable, Equatable {
        case store(key: [UInt8], value: [UInt8], expiry: UInt32)
        case findNodeRequest(cookie: UInt64, key: [UInt8])
        case findNodeResponse(cookie: UInt64, key: [UInt8], contacts: [DHTContact])
        case findValueRequest(cookie: UInt64, key: [UInt8])
        case findValueResponse(cookie: UInt64, key: [UInt8], contacts: [DHTContact], values: [[UInt8]])
        /// A code this implementation does not know: the sender still counts
        /// as a contact.
        case unknown(code: UInt32)
    }

    public enum ParseError: Error, Equatable {
        case notProtobuf
        case badSource
        case missingPart(Code)
        case badKey(Code)
        case emptyValue
    }

    public var source: DHTContact
    public var body: Body

    public init(source: DHTContact, body: Body) {
        self.source = source
        self.body = body
    }

    /// Parses and validates a message whose IDs and keys are `idLength`
    /// bytes. Contacts in responses with a wrong ID length or address 0 are
    /// left out.
    public init(parsing bytes: [UInt8], idLength: Int) throws(ParseError) {
        guard let m = try? dht_msg(serializedBytes: bytes), m.isInitialized else { throw .notProtobuf }
        guard m.src.id.count == idLength, m.src.addr != 0 else { throw .badSource }
        source = DHTContact(id: [UInt8](m.src.id), address: m.src.addr)
        guard let code = Code(rawValue: m.code) else {
            body = .unknown(code: m.code)
            return
        }
        func key(_ data: Data) throws(ParseError) -> [UInt8] {
            guard data.count == idLength else { throw .badKey(code) }
            return [UInt8](data)
        }
        func contacts(_ list: [dht_contact_msg]) -> [DHTContact] {
            list.filter { $0.id.count == idLength && $0.addr != 0 }.map { DHTContact(id: [UInt8]($0.id), address: $0.addr) }
        }
        switch code {
        case .store:
            guard m.hasStore else { throw .missingPart(code) }
            guard !m.store.val.isEmpty else { throw .emptyValue }
            body = .store(key: try key(m.store.key), value: [UInt8](m.store.val), expiry: m.store.exp)
        case .findNodeRequest, .findValueRequest:
            guard m.hasFind else { throw .missingPart(code) }
            let k = try key(m.find.key)
            body = code == .findNodeRequest ? .findNodeRequest(cookie: m.find.cookie, key: k)
                                            : .findValueRequest(cookie: m.find.cookie, key: k)
        case .findNodeResponse:
            guard m.hasNode else { throw .missingPart(code) }
            body = .findNodeResponse(cookie: m.node.cookie, key: try key(m.node.key), contacts: contacts(m.node.contacts))
        case .findValueResponse:
            guard m.hasNode, m.hasVal else { throw .missingPart(code) }
            body = .findValueResponse(cookie: m.node.cookie, key: try key(m.node.key),
                                      contacts: contacts(m.node.contacts), values: m.val.values.map { [UInt8]($0) })
        }
    }

    public var code: UInt32 {
        switch body {
        case .store: return Code.store.rawValue
        case .findNodeRequest: return Code.findNodeRequest.rawValue
        case .findNodeResponse: return Code.findNodeResponse.rawValue
        case .findValueRequest: return Code.findValueRequest.rawValue
        case .findValueResponse: return Code.findValueResponse.rawValue
        case .unknown(let code): return code
        }
    }

    public func serialize() -> [UInt8] {
        var m = dht_msg()
        m.code = code
        m.src = Self.contactMessage(source)
        switch body {
        case let .store(key, value, expiry):
            m.store.key = Data(key)
            m.store.val = Data(value)
            m.store.exp = expiry
        case let .findNodeRequest(cookie, key), let .findValueRequest(cookie, key):
            m.find.cookie = cookie
            m.find.key = Data(key)
        case let .findNodeResponse(cookie, key, contacts):
            m.node = Self.nodeMessage(cookie, key, contacts)
        case let .findValueResponse(cookie, key, contacts, values):
            m.node = Self.nodeMessage(cookie, key, contacts)
            m.val.values = values.map { Data($0) }
        case .unknown:
            break
        }
        return (try? m.serializedBytes()) ?? []
    }

    private static func contactMessage(_ c: DHTContact) -> dht_contact_msg {
        var m = dht_contact_msg()
        m.id = Data(c.id)
        m.addr = c.address
        return m
    }

    private static func nodeMessage(_ cookie: UInt64, _ key: [UInt8], _ contacts: [DHTContact]) -> dht_find_node_rsp_msg {
        var m = dht_find_node_rsp_msg()
        m.cookie = cookie
        m.key = Data(key)
        m.contacts = contacts.map(contactMessage)
        return m
    }
}
