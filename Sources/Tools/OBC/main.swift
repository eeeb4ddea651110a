#if canImport(Glibc)
import Glibc
#endif
import ToolSupport

let options: OBCOptions
do {
    options = try OBCOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.exit(error, usage: OBCOptions.usage)
}
if options.listen { Termination.exitOnSignal() }
Presence.announce()
exit(options.listen ? BroadcastReader.run(options) : BroadcastWriter.run(options))
