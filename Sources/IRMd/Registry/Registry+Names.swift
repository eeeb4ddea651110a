import DevKit

extension Registry {
    /// Creates a name with default credential paths where none are given;
    /// an existing name is left as it is (returns false then).
    @discardableResult
    func createName(_ entry: NameEntry) -> Bool {
        var e = entry
        e.applyDefaultPaths(securityDirectory: securityDirectory)
        return (try? update { (s: inout State) throws(RegistryError) -> Bool in
            guard s.names[e.name] == nil else { return false }
            s.names[e.name] = e
            return true
        }) ?? false
    }

    /// Destroys a name, unbinding it from every process and program.
    func destroyName(_ name: String) throws(RegistryError) {
        try update { (s: inout State) throws(RegistryError) in
            guard s.names.removeValue(forKey: name) != nil else { throw .notFound }
            for pid in s.processes.keys { s.processes[pid]!.names.removeAll { $0 == name } }
            for prog in s.programs.keys { s.programs[prog]!.names.removeAll { $0 == name } }
        }
    }

    func name(_ name: String) -> NameEntry? { read { $0.names[name] } }

    /// Names in `strcmp` order.
    func nameList() -> [NameEntry] {
        read { s in s.names.values.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) } }
    }

    /// The name whose digest under `algorithm` is `hash`.
    func name(hash: [UInt8], algorithm: HashAlgorithm) -> String? {
        read { s in s.names.keys.first { algorithm.digest(name: $0) == hash } }
    }
}
