/// Numbers on the tools' command lines: a decimal integer, optionally followed
/// by a unit.
public enum NumberParsing {
    /// Splits `text` into its leading integer (optional sign, decimal digits)
    /// and what follows it; the integer is nil when there are no digits or it
    /// does not fit an `Int`.
    public static func split(_ text: String) -> (value: Int?, unit: Substring) {
        var digitsEnd = text.startIndex
        if digitsEnd < text.endIndex, text[digitsEnd] == "-" || text[digitsEnd] == "+" {
            digitsEnd = text.index(after: digitsEnd)
        }
        let firstDigit = digitsEnd
        while digitsEnd < text.endIndex, text[digitsEnd].isASCII, text[digitsEnd].isNumber {
            digitsEnd = text.index(after: digitsEnd)
        }
        if digitsEnd == firstDigit { return (nil, text[...]) }
        return (Int(text[..<digitsEnd]), text[digitsEnd...])
    }

    /// A whole-string integer, or an error naming `what`.
    public static func integer(_ text: String, what: String) throws(OptionError) -> Int {
        let (v, unit) = split(text)
        guard let value = v, unit.isEmpty else { throw .failure("Invalid \(what): \(text).") }
        return value
    }

    /// A non-negative whole-string integer, or an error naming `what`.
    public static func count(_ text: String, what: String) throws(OptionError) -> Int {
        let v = try integer(text, what: what)
        guard v >= 0 else { throw .failure("Invalid \(what): \(text).") }
        return v
    }

    /// A time in milliseconds: an integer with unit `ms` (the default), `s`,
    /// `m`, `h` or `d`.
    public static func milliseconds(_ text: String) throws(OptionError) -> Int {
        let (v, unit) = split(text)
        guard let value = v, value >= 0 else { throw .failure("Invalid time: \(text).") }
        let factor: Int
        switch unit {
        case "", "ms": factor = 1
        case "s": factor = 1000
        case "m": factor = 60_000
        case "h": factor = 3_600_000
        case "d": factor = 86_400_000
        default: throw .failure("Unknown time unit: \(unit).")
        }
        let (ms, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .failure("Invalid time: \(text).") }
        return ms
    }

    /// A rate in bit/s: an integer with suffix `k`, `M` or `G`; without a
    /// suffix the integer is multiplied by `plain` (operf's default is kb/s,
    /// ocbr's b/s).
    public static func rate(_ text: String, plain: Int) throws(OptionError) -> Int {
        let (v, unit) = split(text)
        guard let value = v else { throw .failure("Invalid rate: \(text).") }
        let factor: Int
        switch unit {
        case "": factor = plain
        case "k": factor = 1000
        case "M": factor = 1_000_000
        case "G": factor = 1_000_000_000
        default: throw .failure("Unknown rate unit: \(unit).")
        }
        let (bps, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .failure("Invalid rate: \(text).") }
        return bps
    }
}
