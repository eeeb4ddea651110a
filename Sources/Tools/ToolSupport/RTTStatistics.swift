import Foundation

/// Running round-trip statistics in milliseconds: minimum, maximum, mean and
/// sample standard deviation (Welford's method), as oping reports them.
public struct RTTStatistics: Equatable, Sendable {
    public private(set) var count = 0
    public private(set) var minimum = Double.greatestFiniteMagnitude
    public private(set) var maximum = 0.0
    public private(set) var mean = 0.0
    private var squares = 0.0

    public init() {}

    /// Adds one round trip.
    public mutating func add(_ ms: Double) {
        count += 1
        minimum = Swift.min(minimum, ms)
        maximum = Swift.max(maximum, ms)
        let d = ms - mean
        mean += d / Double(count)
        squares += d * (ms - mean)
    }

    /// The sample standard deviation; nil with fewer than two samples.
    public var deviation: Double? {
        count > 1 ? (squares / Double(count - 1)).squareRoot() : nil
    }
}
