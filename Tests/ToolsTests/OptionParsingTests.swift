import XCTest
@testable import ToolSupport
