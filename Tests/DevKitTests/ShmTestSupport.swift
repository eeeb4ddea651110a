#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import DevKit

/// A private instance for one test, and every shm name the test may create,
/// unlinked when the test ends (also on failure).
final class ShmScope: @unchecked Sendable {
    let instance: Instance
    private var names: [String] = []

    init(_ test: XCTestCase) {
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        instance = Instance(environment: "/tmp/ouroboros-shmtest-\(getpid())-\(tag)")
        test.addTeardownBlock { [self] in cleanup() }
    }

    /// Registers `name` for removal and returns it.
    @discardableResult
    func track(_ name: String) -> String {
        names.append(name)
        return name
    }

    /// A fresh name in this instance, registered for removal.
    func name(_ object: String) -> String { track(instance.shmName(object)) }

    func cleanup() {
        for n in names { SharedMemory.unlink(name: n) }
        names.removeAll()
    }
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<T>(_ expected: OuroError, file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(expected), got a result", file: file, line: line)
    } catch {
        XCTAssertEqual(error as? OuroError, expected, file: file, line: line)
    }
}
