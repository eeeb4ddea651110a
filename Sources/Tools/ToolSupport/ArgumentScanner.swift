/// Walks a command line (without the program name) option by option.
public struct ArgumentScanner: Sendable {
    private var rest: ArraySlice<String>

    public init(_ arguments: [String]) { rest = arguments[...] }

    /// The next argument, nil at the end.
    public mutating func next() -> String? { rest.popFirst() }

    /// The value following an option; `missing` when there is none.
    public mutating func value(missing: OptionError) throws(OptionError) -> String {
        guard let v = rest.popFirst() else { throw missing }
        return v
    }
}
