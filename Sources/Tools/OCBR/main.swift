#if canImport(Glibc)
import Glibc
#endif
import ToolSupport

let options: OCBROptions
do {
    options = try OCBROptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    Console.exit(error, usage: OCBROptions.usage)
}

if options.listen {
    Termination.exitOnSignal()
    Presence.announce()
    CBRServer(options).run()
} else {
    do {
        try options.validateClient()
    } catch {
        Console.exit(error, usage: OCBROptions.usage)
    }
    let stop = StopFlag()
    Termination.stopOnSignal(stop)
    Presence.announce()
    exit(CBRClient.run(options, stop: stop))
}
