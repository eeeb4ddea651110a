#if canImport(Glibc)
import Glibc
#endif
import ToolSupport

let options: OPerfOptions
do {
    options = try OPerfOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.exit(error, usage: OPerfOptions.usage)
}

if options.listen {
    Termination.exitOnSignal()
    Presence.announce()
    PerfServer().run()
} else {
    let settings: (options: OPerfOptions, test: OPerfTest, notes: [String])
    do {
        settings = try options.clientSettings()
    } catch {
        Console.exit(error, usage: OPerfOptions.usage)
    }
    Console.say(settings.notes)
    let stop = StopFlag()
    Termination.stopOnSignal(stop)
    Presence.announce()
    exit(PerfClient.run(settings.options, test: settings.test, stop: stop))
}
