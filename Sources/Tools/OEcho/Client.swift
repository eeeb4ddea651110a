import DevKit
import ToolSupport

/// The oecho client: says hi to the server named `oecho` and prints its answer
/// (spec host.md §9.4).
enum EchoClient {
    static func run() -> Int32 {
        let flow: Flow
        do {
            flow = try Flow.allocate(to: OEchoOptions.serverName)
        } catch {
            Console.say(Presence.allocationFailure(error, qosName: "raw", withCode: false))
            return 1
        }
        defer { try? flow.deallocate() }
        do {
            try flow.write(OEchoOptions.greetingMessage)
        } catch {
            Console.say("Failed to write packet.")
            return 1
        }
        let reply: [UInt8]
        do {
            reply = try flow.read(maxLength: OEchoOptions.bufferSize)
        } catch {
            Console.say("Failed to read packet.")
            return 1
        }
        Console.say("Server replied with \(OEchoOptions.text(reply))")
        return 0
    }
}
