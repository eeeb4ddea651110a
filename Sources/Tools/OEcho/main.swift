#if canImport(Glibc)
import Glibc
#endif
import ToolSupport

let listen: Bool
do {
    listen = try OEchoOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.exit(error, usage: OEchoOptions.usage)
}
if listen { Termination.exitOnSignal() }
Presence.announce()
exit(listen ? EchoServer.run() : EchoClient.run())
