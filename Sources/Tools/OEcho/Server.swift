import DevKit
import ToolSupport

/// The oecho server: one flow at a time, reads a message, prints it, sends it
/// back and deallocates (spec host.md §9.4).
enum EchoServer {
    static func run() -> Int32 {
        Console.say("Starting the server.")
        while true {
            let flow: Flow
            do {
                flow = try Flow.accept()
            } catch {
                Termination.awaitExitIfRequested()
                Console.say("Failed to accept flow.")
                return 0
            }
            Console.say("New flow.")
            echo(flow)
            try? flow.deallocate()
        }
    }

    private static func echo(_ flow: Flow) {
        let message: [UInt8]
        do {
            message = try flow.read(maxLength: OEchoOptions.bufferSize)
        } catch {
            Console.say("Failed to read packet.")
            return
        }
        Console.say("Message from client is \(OEchoOptions.text(message)).")
        do {
            try flow.write(message)
        } catch {
            Console.say("Failed to write packet.")
        }
    }
}
