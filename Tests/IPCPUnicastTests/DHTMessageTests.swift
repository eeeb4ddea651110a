import DevKit
import Foundation
import IPCPUnicast
import XCTest

final class DHTMessageTests: XCTestCase {
    private let a: UInt64 = 0x1aee_f404
    private let b: UInt64 = 0xe681_20be

    /// The DHT payload of a captured DT packet: PCI (15 bytes, eid 1) removed.
    private func payload(_ v: Vector) -> [UInt8] {
        XCTAssertEqual(Array(v.bytes[7..<15]), [1, 0, 0, 0, 0, 0, 0, 0], "PCI eid 1: \(v.title)")
        return Array(v.bytes[15...])
    }

    func testReferenceVectors() throws {
        let vectors = try Vector.load().filter { $0.title.hasPrefix("DHT") }
        XCTAssertEqual(vectors.count, 8)
        for v in vectors {
            let bytes = payload(v)
            let m = try DHTMessage(parsing: bytes, idLength: 32)
            XCTAssertEqual(m.serialize(), bytes, v.title)
            XCTAssertEqual(m.source.address, v.title.hasSuffix("from A") ? a : b, v.title)
        }
        let req = try DHTMessage(parsing: payload(Vector.named("DHT FIND_NODE_REQ from B")[0]), idLength: 32)
        XCTAssertEqual(req.body, .findNodeRequest(cookie: 0x2a5c_571d_e037_a504, key: req.source.id))
        let rsp = try DHTMessage(parsing: payload(Vector.named("DHT FIND_NODE_RSP from A")[0]), idLength: 32)
        XCTAssertEqual(rsp.body, .findNodeResponse(cookie: 0x2a5c_571d_e037_a504, key: req.source.id,
                                                   contacts: [DHTContact(id: req.source.id, address: b)]))
        let store = try DHTMessage(parsing: payload(Vector.named("DHT STORE from A")[0]), idLength: 32)
        guard case let .store(key, value, expiry) = store.body else { return XCTFail("not a STORE") }
        XCTAssertEqual(key, HashAlgorithm.sha3_256.digest(name: "p.A"))
        XCTAssertEqual(value, [0, 0, 0, 0, 0x1a, 0xee, 0xf4, 0x04])
        XCTAssertEqual(expiry, 1_796_008_154)
        let found = try DHTMessage(parsing: payload(Vector.named("DHT FIND_VALUE_RSP from A")[0]), idLength: 32)
        guard case let .findValueResponse(cookie, _, contacts, values) = found.body else { return XCTFail("not a FIND_VALUE_RSP") }
        XCTAssertEqual(cookie, 0xe56b_fb8f_cce5_3ca1)
        XCTAssertEqual(contacts.map(\.address), [b])
        XCTAssertEqual(values, [[0, 0, 0, 0, 0x1a, 0xee, 0xf4, 0x04]])
    }

    func testRoundTrips() throws {
        let src = DHTContact(id: [UInt8](repeating: 7, count: 32), address: 0x1234_5678_90ab_cdef)
        let key = [UInt8](repeating: 9, count: 32)
        let contacts = (1...100).map { DHTContact(id: [UInt8](repeating: UInt8($0), count: 32), address: UInt64($0)) }
        let values = (1...8).map { [UInt8](repeating: UInt8($0), count: $0 * 8) }
        let bodies: [(DHTMessage.Body, UInt32)] = [
            (.store(key: key, value: Array("test_value".utf8), expiry: 1_796_000_010), 0),
            (.findNodeRequest(cookie: 1, key: key), 1),
            (.findNodeResponse(cookie: 0, key: key, contacts: []), 2),
            (.findNodeResponse(cookie: 5, key: key, contacts: contacts), 2),
            (.findValueRequest(cookie: .max, key: key), 3),
            (.findValueResponse(cookie: 0, key: key, contacts: [], values: []), 4),
            (.findValueResponse(cookie: 3, key: key, contacts: contacts, values: values), 4),
        ]
        for (body, code) in bodies {
            let m = DHTMessage(source: src, body: body)
            XCTAssertEqual(m.code, code)
            XCTAssertEqual(try DHTMessage(parsing: m.serialize(), idLength: 32), m)
        }
    }

    func testValidation() {
        let src = DHTContact(id: [UInt8](repeating: 7, count: 32), address: 5)
        let key = [UInt8](repeating: 9, count: 32)
        func fails(_ bytes: [UInt8], _ expected: DHTMessage.ParseError, line: UInt = #line) {
            XCTAssertThrowsError(try DHTMessage(parsing: bytes, idLength: 32), line: line) {
                XCTAssertEqual($0 as? DHTMessage.ParseError, expected, line: line)
            }
        }
        fails([0xff, 0xff, 0xff], .notProtobuf)
        fails([], .notProtobuf)
        fails(DHTMessage(source: DHTContact(id: [1, 2], address: 5), body: .findNodeRequest(cookie: 1, key: key)).serialize(), .badSource)
        fails(DHTMessage(source: DHTContact(id: src.id, address: 0), body: .findNodeRequest(cookie: 1, key: key)).serialize(), .badSource)
        fails(DHTMessage(source: src, body: .findValueRequest(cookie: 1, key: [1])).serialize(), .badKey(.findValueRequest))
        fails(DHTMessage(source: src, body: .store(key: key, value: [], expiry: 1)).serialize(), .emptyValue)
        fails(DHTMessage(source: src, body: .store(key: [1], value: [1], expiry: 1)).serialize(), .badKey(.store))
        // A FIND_VALUE_RSP without its values part.
        var m = dht_msg()
        m.code = 4
        m.src.id = Data(src.id)
        m.src.addr = 5
        m.node.cookie = 1
        m.node.key = Data(key)
        fails(try! m.serializedBytes(), .missingPart(.findValueResponse))
        m.code = 1
        fails(try! m.serializedBytes(), .missingPart(.findNodeRequest))
        // Unknown codes are not rejected.
        m.code = 9
        XCTAssertEqual(try DHTMessage(parsing: try! m.serializedBytes(), idLength: 32).body, .unknown(code: 9))
        // Contacts with bad IDs are left out of a response.
        let rsp = DHTMessage(source: src, body: .findNodeResponse(cookie: 1, key: key, contacts: [
            DHTContact(id: [1], address: 3), DHTContact(id: key, address: 0), DHTContact(id: key, address: 4)]))
        XCTAssertEqual(try DHTMessage(parsing: rsp.serialize(), idLength: 32).body,
                       .findNodeResponse(cookie: 1, key: key, contacts: [DHTContact(id: key, address: 4)]))
    }
}
