#if canImport(Glibc)
import Glibc
#endif
import ToolSupport

let options: OPingOptions
do {
    options = try OPingOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.exit(error, usage: OPingOptions.usage)
}
Console.say(options.notes)

if options.listen {
    Termination.exitOnSignal()
    Presence.announce()
    PingServer(options).run()
} else {
    let settings: (options: OPingOptions, notes: [String])
    do {
        settings = try options.clientSettings()
    } catch {
        Console.exit(error, usage: OPingOptions.usage)
    }
    Console.say(settings.notes)
    let stop = StopFlag()
    Termination.stopOnSignal(stop)
    Presence.announce()
    exit(PingClient.run(settings.options, stop: stop))
}
