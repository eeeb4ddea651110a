import DevKit
import IPCPCommon
@testable import IPCPUnicast
import XCTest

/// A single node, its messages captured (ipcps.md §8.1: reg_unreg*, query*).
final class DHTNodeTests: XCTestCase {
    func testRegisterWithoutContactsSendsNothing() {
        let sink = DHTSink()
        let key = DHTIdentifier.random(length: 32)
        sink.node.register(key)
        XCTAssertTrue(sink.messages.isEmpty)
        XCTAssertEqual(sink.node.values(for: key), [DHTIdentifier.value(of: DHTSink.ownAddress)])
        sink.node.unregister(key)
        XCTAssertEqual(sink.node.values(for: key), [])
        XCTAssertTrue(sink.messages.isEmpty, "unregistering sends nothing")
    }

    func testRegisterStoresAtAlphaContacts() throws {
        let sink = DHTSink()
        sink.addContacts(4)
        let key = DHTIdentifier.random(length: 32)
        sink.node.register(key)
        let stores = sink.messages.filter { if case .store = $0.message.body { return true } else { return false } }
        XCTAssertEqual(stores.count, 3, "alpha STOREs")
        XCTAssertEqual(Set(stores.map(\.to)).count, 3)
        guard case let .store(k, value, expiry) = stores[0].message.body else { return XCTFail() }
        XCTAssertEqual(k, key)
        XCTAssertEqual(value, DHTIdentifier.value(of: DHTSink.ownAddress))
        XCTAssertEqual(expiry, UInt32(sink.clock.now) + 86400)
        XCTAssertEqual(stores[0].message.source, DHTContact(id: sink.node.id, address: DHTSink.ownAddress))
        let finds = sink.messages.filter { if case .findNodeRequest = $0.message.body { return true } else { return false } }
        XCTAssertEqual(finds.count, 3, "and a lookup for the key's closest nodes")
    }

    func testQueryNeverReturnsTheOwnAddress() {
        let sink = DHTSink()
        let key = DHTIdentifier.random(length: 32)
        sink.node.register(key)
        XCTAssertNil(sink.node.query(key))
        let remote = DHTMessage(source: DHTContact(id: DHTIdentifier.random(length: 32), address: 55),
                                body: .store(key: key, value: DHTIdentifier.value(of: 1_234_321), expiry: UInt32(sink.clock.now) + 5))
        sink.node.received(remote.serialize())
        XCTAssertEqual(sink.node.query(key), Address(1_234_321))
    }

    func testQueryWithoutContactsSendsNothing() {
        let sink = DHTSink(peer: 0x42)
        XCTAssertNil(sink.node.query(DHTIdentifier.random(length: 32)))
        XCTAssertTrue(sink.messages.isEmpty, "the bootstrap peer is not used for lookups")
    }

    func testQueryAsksContacts() {
        let sink = DHTSink()
        sink.addContacts(10)
        let key = DHTIdentifier.random(length: 32)
        XCTAssertNil(sink.node.query(key))
        let first = sink.messages.first!.message
        guard case let .findValueRequest(cookie, k) = first.body else { return XCTFail("\(first.body)") }
        XCTAssertEqual(k, key)
        XCTAssertNotEqual(cookie, 0)
        XCTAssertEqual(sink.messages.count, 3, "alpha requests in flight")
    }

    /// An answer carrying the request's cookie is taken, with its contacts
    /// asked next (second round); one nobody asked for is dropped.
    func testResponsesAdvanceLookups() throws {
        let sink = DHTSink()
        sink.addContacts(1)
        let key = DHTIdentifier.random(length: 32)
        DispatchQueue.global().async { _ = sink.node.query(key) }
        var request: (to: UInt64, message: DHTMessage)?
        for _ in 0..<200 where request == nil {
            request = sink.messages.first
            usleep(1000)
        }
        let (peer, req) = try XCTUnwrap(request)
        guard case let .findValueRequest(cookie, _) = req.body else { return XCTFail() }
        let stranger = DHTMessage(source: DHTContact(id: DHTIdentifier.random(length: 32), address: 7),
                                  body: .findValueResponse(cookie: cookie &+ 1, key: key, contacts: [], values: []))
        sink.node.received(stranger.serialize())
        XCTAssertEqual(sink.node.droppedMessages, 1)
        let next = [DHTContact(id: DHTIdentifier.random(length: 32), address: 300), DHTContact(id: DHTIdentifier.random(length: 32), address: 301)]
        let answer = DHTMessage(source: DHTContact(id: DHTIdentifier.random(length: 32), address: peer),
                                body: .findValueResponse(cookie: cookie, key: key, contacts: next, values: []))
        sink.node.received(answer.serialize())
        XCTAssertEqual(Set(sink.messages.dropFirst().map(\.to)), [300, 301])
        XCTAssertEqual(sink.node.droppedMessages, 1)
        sink.node.received([1, 2, 3])
        XCTAssertEqual(sink.node.droppedMessages, 2)
    }

    func testRequestsAreAnswered() throws {
        let sink = DHTSink()
        sink.addContacts(20)
        let request = try DHTMessage(parsing: Array(Vector.named("DHT FIND_NODE_REQ from B")[0].bytes[15...]), idLength: 32)
        sink.node.received(request.serialize())
        let (to, reply) = sink.messages.last!
        XCTAssertEqual(to, 0xe681_20be, "answers go to src.addr")
        guard case let .findNodeResponse(cookie, key, contacts) = reply.body else { return XCTFail() }
        XCTAssertEqual(cookie, 0x2a5c_571d_e037_a504)
        XCTAssertEqual(key, request.source.id)
        XCTAssertEqual(contacts.count, 8)
        XCTAssertFalse(contacts.contains { $0.address == DHTSink.ownAddress })

        let key2 = DHTIdentifier.random(length: 32)
        sink.node.register(key2)
        sink.node.received(DHTMessage(source: request.source, body: .findValueRequest(cookie: 9, key: key2)).serialize())
        guard case let .findValueResponse(_, _, _, values) = sink.messages.last!.message.body else { return XCTFail() }
        XCTAssertEqual(values, [DHTIdentifier.value(of: DHTSink.ownAddress)])
    }

    func testBootstrapThroughThePeer() {
        let unreachable = DHTSink(peer: 0x42, reachable: false)
        XCTAssertFalse(unreachable.node.bootstrap(), "no route yet: try again")
        let sink = DHTSink(peer: 0x42)
        XCTAssertTrue(sink.node.bootstrap())
        XCTAssertEqual(sink.messages.map(\.to), [0x42])
        guard case let .findNodeRequest(_, key) = sink.messages[0].message.body else { return XCTFail() }
        XCTAssertEqual(key, sink.node.id)
        XCTAssertTrue(DHTSink().node.bootstrap(), "no peer: nothing to do")
    }

    /// Alone (the enroller gone), the node also asks the IPCPs routing reaches.
    func testAloneTheNodeAsksWhatRoutingReaches() {
        let sink = DHTSink(peer: 0x42)
        let reachable = [Address(7), Address(8), Address(DHTSink.ownAddress)]
        sink.node.reseedWhenAlone { reachable }
        XCTAssertEqual(Set(sink.messages.map(\.to)), [0x42, 7, 8], "the enroller and the others, never itself")
        for m in sink.messages {
            guard case let .findNodeRequest(_, key) = m.message.body else { return XCTFail() }
            XCTAssertEqual(key, sink.node.id)
        }
        sink.clear()
        sink.node.reseedWhenAlone { reachable }
        XCTAssertTrue(sink.messages.isEmpty, "not while a discovery runs")
        sink.clock.advance(by: 1)
        sink.node.checkLookups()
        sink.node.reseedWhenAlone { reachable }
        XCTAssertEqual(Set(sink.messages.map(\.to)), [0x42, 7, 8], "again once nobody answered")
        sink.clear()
        sink.addContacts(1)
        sink.node.reseedWhenAlone { reachable }
        XCTAssertTrue(sink.messages.isEmpty, "not with a contact")
    }

    func testStaleBucketsAreRefreshed() {
        let sink = DHTSink()
        sink.addContacts(3)
        let oldest = sink.node.contacts[0].id
        sink.clock.advance(by: 600)
        sink.node.maintenance()
        XCTAssertTrue(sink.messages.isEmpty)
        sink.clock.advance(by: 301)
        sink.node.maintenance()
        let looked = sink.messages.compactMap { m -> [UInt8]? in
            if case let .findNodeRequest(_, key) = m.message.body { return key } else { return nil }
        }
        XCTAssertEqual(Set(looked), [oldest], "one lookup for the stale (root) bucket, for its oldest contact")
        XCTAssertEqual(looked.count, 3)
    }

    /// Contacts that stop answering leave the routing table.
    func testUnansweredContactsAreDropped() {
        let sink = DHTSink()
        sink.addContacts(3)
        XCTAssertNil(sink.node.query(DHTIdentifier.random(length: 32)))
        XCTAssertEqual(sink.node.contacts.count, 3)
        sink.clock.advance(by: 1)
        sink.node.checkLookups()
        XCTAssertEqual(sink.node.contacts.count, 0)
        XCTAssertEqual(sink.node.lookupCount, 0)
    }

    func testMaintenanceInterval() {
        XCTAssertEqual(DHTSink().node.maintenanceInterval, 90)
    }
}
