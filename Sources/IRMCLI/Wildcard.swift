/// The `irm` glob: `*` matches any run of bytes, every other byte itself.
/// Whole-string match (spec host.md §8.1).
func wildcardMatches(pattern: String, _ string: String) -> Bool {
    wildcardMatches(Array(pattern.utf8)[...], Array(string.utf8)[...])
}

private func wildcardMatches(_ pattern: ArraySlice<UInt8>, _ string: ArraySlice<UInt8>) -> Bool {
    guard let first = pattern.first else { return string.isEmpty }
    if first == UInt8(ascii: "*") {
        let rest = pattern.dropFirst()
        if rest.isEmpty { return true }
        var tail = string
        while !tail.isEmpty {
            if wildcardMatches(rest, tail) { return true }
            tail = tail.dropFirst()
        }
        return false
    }
    guard string.first == first else { return false }
    return wildcardMatches(pattern.dropFirst(), string.dropFirst())
}
