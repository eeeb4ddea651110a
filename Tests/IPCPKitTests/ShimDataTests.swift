#if canImport(Glibc)
import Glibc
#endif
import DevKit
import Synchronization
import XCTest
@testable import IPCPKit

final class ShimDataTests: XCTestCase {
    let a: [UInt8] = [1, 2, 3, 4]
    let b: [UInt8] = [5, 6, 7, 8]

    func testRegistryIsAnIdempotentSet() {
        let registry = ShimRegistry()
        XCTAssertFalse(registry.contains(a))
        registry.add(a)
        registry.add(a)
        XCTAssertTrue(registry.contains(a))
        XCTAssertFalse(registry.contains(b))
        registry.remove(a)
        XCTAssertFalse(registry.contains(a))
        registry.remove(a)
        registry.remove(b)
        XCTAssertFalse(registry.contains(a))
    }

    func testDirectoryRejectsDuplicatesAndAnswersTheLatest() {
        let directory = ShimDirectory<UInt32>()
        XCTAssertNil(directory.address(of: a))
        XCTAssertTrue(directory.add(a, address: 10))
        XCTAssertFalse(directory.add(a, address: 10))
        XCTAssertTrue(directory.add(a, address: 11))
        XCTAssertTrue(directory.add(b, address: 10))
        XCTAssertEqual(directory.address(of: a), 11)
        XCTAssertEqual(directory.address(of: b), 10)
        directory.remove(a, address: 11)
        XCTAssertEqual(directory.address(of: a), 10)
        directory.remove(a, address: 10)
        XCTAssertFalse(directory.contains(a))
        XCTAssertTrue(directory.contains(b))
    }

    func testResponseWakesTheWaiter() {
        let queries = DirectoryQueries()
        let query = queries.make(a)
        let outcome = Mutex<OuroError??>(nil)
        let done = ConditionSignal()
        startThread {
            let result: OuroError?
            do throws(OuroError) { try query.wait(until: .after(milliseconds: 5000)); result = nil } catch { result = error }
            outcome.withLock { $0 = .some(result) }
            done.broadcast()
        }
        // Respond until the waiter has started waiting and took the answer.
        let deadline = Deadline.after(milliseconds: 5000)
        while query.state.withLock({ $0 }) == .initial && !deadline.hasPassed { usleep(1000) }
        queries.respond(b)
        queries.respond(a)
        XCTAssertTrue(done.wait(until: .after(milliseconds: 5000)) { outcome.withLock { $0 != nil } })
        XCTAssertEqual(outcome.withLock { $0 }, .some(nil))
        queries.destroy(query)
    }

    func testUnansweredQueryTimesOut() {
        let queries = DirectoryQueries()
        let query = queries.make(a)
        queries.respond(a) // nobody waits yet: ignored
        let start = Deadline.now
        XCTAssertThrowsError(try query.wait(until: .after(milliseconds: 50))) { XCTAssertEqual($0 as? OuroError, .timedOut) }
        XCTAssertGreaterThanOrEqual(Deadline.now.nanoseconds - start.nanoseconds, 50_000_000)
        XCTAssertThrowsError(try query.wait(until: .after(milliseconds: 50))) { XCTAssertEqual($0 as? OuroError, .invalid) }
        queries.destroy(query)
    }

    func testDestroyWakesTheWaiterWithFailure() {
        let queries = DirectoryQueries()
        let query = queries.make(a)
        let outcome = Mutex<OuroError?>(nil)
        let done = ConditionSignal()
        startThread {
            do throws(OuroError) { try query.wait(until: .after(milliseconds: 10_000)) } catch { outcome.withLock { $0 = error } }
            done.broadcast()
        }
        let deadline = Deadline.after(milliseconds: 5000)
        while query.state.withLock({ $0 }) == .initial && !deadline.hasPassed { usleep(1000) }
        queries.destroyAll()
        XCTAssertTrue(done.wait(until: .after(milliseconds: 5000)) { outcome.withLock { $0 != nil } })
        XCTAssertEqual(outcome.withLock { $0 }, .failure)
    }

    func testDestroyingAnUnusedQueryReturns() {
        let queries = DirectoryQueries()
        queries.destroy(queries.make(a))
        queries.destroyAll()
    }
}
