@testable import IPCPUnicast
import XCTest

/// The DHT's routing table and value store (ipcps.md §8.1: kv_update_bucket,
/// kv_contact_list, dht_entry_*, kv_get_values).
final class DHTStateTests: XCTestCase {
    private func randomID() -> [UInt8] { DHTIdentifier.random(length: 32) }

    func testBucketsSplitAndHoldAtMostK() {
        let own = randomID()
        var table = DHTRoutingTable(ownID: own, ownAddress: 1, k: 8, refreshPeriod: 900, now: 0)
        for i in 0..<1000 { table.add(id: randomID(), address: UInt64(100 + i), now: Double(i)) }
        let shape = table.shape
        XCTAssertGreaterThanOrEqual(shape.buckets, 256)
        XCTAssertLessThanOrEqual(shape.fullest, 8)
        XCTAssertGreaterThan(table.contacts.count, 8)
        XCTAssertFalse(table.contacts.contains { $0.address == 1 })
    }

    func testListingContacts() {
        let own = randomID()
        var table = DHTRoutingTable(ownID: own, ownAddress: 1, k: 8, refreshPeriod: 900, now: 0)
        for i in 0..<5 { table.add(id: randomID(), address: UInt64(10 + i), now: 0) }
        XCTAssertEqual(table.closest(to: own, count: 8, now: 0).count, 5)
        for i in 0..<100 { table.add(id: randomID(), address: UInt64(100 + i), now: 0) }
        let listed = table.closest(to: own, count: 8, now: 0)
        XCTAssertEqual(listed.count, 8)
        // Closest first, and no contact left out is closer than the last listed.
        for (x, y) in zip(listed, listed.dropFirst()) { XCTAssertFalse(DHTIdentifier.closer(y.id, than: x.id, to: own)) }
        for c in table.contacts where !listed.contains(c) {
            XCTAssertFalse(DHTIdentifier.closer(c.id, than: listed.last!.id, to: own))
        }
        // The own node and its address are never contacts.
        table.add(id: own, address: 77, now: 0)
        table.add(id: randomID(), address: 1, now: 0)
        XCTAssertFalse(table.contacts.contains { $0.address == 1 || $0.address == 77 })
    }

    func testAlternatesReplaceContactsThatLeave() {
        let own = [UInt8](repeating: 0, count: 32)
        var table = DHTRoutingTable(ownID: own, ownAddress: 1, k: 2, refreshPeriod: 900, now: 0)
        func id(_ first: UInt8, _ second: UInt8) -> [UInt8] { [first, second] + [UInt8](repeating: 1, count: 30) }
        table.add(id: id(0xF0, 1), address: 10, now: 0)
        table.add(id: id(0xF0, 2), address: 11, now: 0)
        table.add(id: id(0x01, 1), address: 12, now: 0) // root splits: 0xF0 bucket keeps 10, 11
        table.add(id: id(0xF0, 3), address: 13, now: 0) // full, far from the own ID: alternate
        XCTAssertEqual(Set(table.contacts.map(\.address)), [10, 11, 12])
        table.remove(address: 10)
        XCTAssertEqual(Set(table.contacts.map(\.address)), [11, 12, 13])
        // A known address re-added with a new ID (restarted node) replaces the old entry.
        table.add(id: id(0x02, 2), address: 12, now: 1)
        XCTAssertEqual(table.contacts.filter { $0.address == 12 }.map(\.id), [id(0x02, 2)])
    }

    func testRefreshIsDueForStaleBuckets() {
        let own = randomID()
        var table = DHTRoutingTable(ownID: own, ownAddress: 1, k: 8, refreshPeriod: 900, now: 0)
        let other = randomID()
        table.add(id: other, address: 2, now: 0)
        XCTAssertEqual(table.dueForRefresh(now: 500), [])
        XCTAssertEqual(table.dueForRefresh(now: 901), [other])
        XCTAssertEqual(table.dueForRefresh(now: 902), [], "deadline moved on")
    }

    func testValueEntries() {
        var store = DHTValueStore()
        let key = randomID()
        let value = Array("value".utf8)
        XCTAssertEqual(store.values(for: key), [])
        XCTAssertTrue(store.store(key: key, value: value, expiry: 110, now: 100))
        XCTAssertEqual(store.values(for: key), [value])
        store.store(key: key, value: value, expiry: 115, now: 100)
        XCTAssertEqual(store.entries[key]?.remote.first?.expiry, 115)
        store.store(key: key, value: value, expiry: 105, now: 100)
        XCTAssertEqual(store.entries[key]?.remote.first?.expiry, 115, "never shortened")
        XCTAssertFalse(store.store(key: key, value: [1], expiry: 99, now: 100), "already expired")
        XCTAssertEqual(store.values(for: key).count, 1)

        let local = [UInt8](repeating: 4, count: 8)
        XCTAssertFalse(store.hasLocal(key: key, value: local))
        store.addLocal(key: key, value: local, expiry: 200, now: 100)
        store.addLocal(key: key, value: local, expiry: 200, now: 100)
        XCTAssertTrue(store.hasLocal(key: key, value: local))
        XCTAssertFalse(store.hasLocal(key: key, value: value))
        XCTAssertEqual(store.values(for: key), [value, local], "others' values first")
        store.store(key: key, value: local, expiry: 300, now: 100)
        XCTAssertEqual(store.entries[key]?.remote.count, 1, "a local value is not stored as another's")

        store.expire(now: 116)
        XCTAssertEqual(store.values(for: key), [local], "local values do not expire")
        store.removeLocal(key: key, value: local)
        XCTAssertNil(store.entries[key])
    }

    func testAtMostEightValues() {
        var store = DHTValueStore()
        let key = randomID()
        for i in 0..<3 { store.store(key: key, value: DHTIdentifier.value(of: UInt64(i + 1)), expiry: 10, now: 0) }
        XCTAssertEqual(store.values(for: key).count, 3)
        for i in 3..<23 { store.store(key: key, value: DHTIdentifier.value(of: UInt64(i + 1)), expiry: 10, now: 0) }
        XCTAssertEqual(store.values(for: key).count, 8)
    }

    func testReplicationCoversEveryKey() {
        var store = DHTValueStore()
        for i in 0..<5 { store.store(key: randomID(), value: [UInt8(i + 1)], expiry: 2000, now: 0) }
        store.addLocal(key: randomID(), value: [9], expiry: 5000, now: 0)
        XCTAssertEqual(store.dueForReplication(now: 900, period: 900).count, 0)
        let due = store.dueForReplication(now: 901, period: 900)
        XCTAssertEqual(due.count, 6)
        for d in due { store.replicated(key: d.key, value: d.value.bytes, local: d.local, now: 901, expiry: 1801) }
        XCTAssertEqual(store.dueForReplication(now: 1000, period: 900).count, 0)
        XCTAssertEqual(store.dueForReplication(now: 2001, period: 900).count, 1, "expired values are not replicated")
    }
}
